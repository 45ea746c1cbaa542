import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { RelayConfig } from '../contracts/config';
import { relayDataConverter } from '../workers/payload-encryption';

/** The Temporal address to use: the configured one, or the embedded dev server's local port. */
export function temporalAddress(config: RelayConfig): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
}

/**
 * Connects a Temporal client, with an error that says what to do when nothing is listening. Its data converter
 * encrypts what it sends and decrypts what it reads with the relay's keys (RELAY_ENCRYPTION_KEYS or the key file).
 */
export async function connectClient(
  config: RelayConfig,
  address = temporalAddress(config),
  dataConverter: DataConverter = relayDataConverter(config),
): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: 5_000 });
  } catch (error) {
    throw new Error(
      `cannot reach Temporal at ${address}: ${(error as Error).message}\n` +
        (config.temporal.address ? 'Check TEMPORAL_ADDRESS.' : 'Start the relay first (`npm start`), or set TEMPORAL_ADDRESS.'),
    );
  }
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter });
}
