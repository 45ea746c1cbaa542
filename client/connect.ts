import { Client, Connection } from '@temporalio/client';
import type { RelayConfig } from '../contracts/config';

/** The Temporal address to use: the configured one, or the embedded dev server's local port. */
export function temporalAddress(config: RelayConfig): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
}

/** Connects a Temporal client, with an error that says what to do when nothing is listening. */
export async function connectClient(config: RelayConfig, address = temporalAddress(config)): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: 5_000 });
  } catch (error) {
    throw new Error(
      `cannot reach Temporal at ${address}: ${(error as Error).message}\n` +
        (config.temporal.address ? 'Check TEMPORAL_ADDRESS.' : 'Start the relay first (`npm start`), or set TEMPORAL_ADDRESS.'),
    );
  }
  return new Client({ connection, namespace: config.temporal.namespace });
}
