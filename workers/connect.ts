import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { toClientOptions, type ConfigDataSource } from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import type { RelayConfig } from '../contracts/config';
import type { PemSource } from '../contracts/temporal-connection-config';
import { relayDataConverter } from './payload-encryption';

/** The Temporal address to use: the configured one, or the embedded dev server's local port. */
export function temporalAddress(config: RelayConfig): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
}

/** What both `Connection.connect` (clients) and `NativeConnection.connect` (the worker) take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/**
 * Connection options for the configured server — the same for the worker's connection and every client's — with
 * TLS certificates read now, so a rotated file is picked up by the next connection. The embedded dev server
 * (no address configured) is plaintext on `embeddedAddress`, by default its configured local port.
 */
export function temporalConnectionOptions(config: RelayConfig, embeddedAddress = temporalAddress(config)): TemporalConnectionOptions {
  const { address, tls, apiKey } = config.temporal;
  if (address === undefined) return { address: embeddedAddress };
  const source = (pem?: PemSource): ConfigDataSource | undefined => (pem && 'pem' in pem ? { data: pem.pem } : pem);
  const { connectionOptions } = toClientOptions({
    address,
    apiKey,
    tls:
      tls === undefined
        ? undefined
        : tls === false
          ? { disabled: true }
          : {
              serverName: tls.serverName,
              serverCACert: source(tls.serverCaCert),
              clientCert: source(tls.clientCert),
              clientKey: source(tls.clientKey),
            },
  });
  return { address, tls: connectionOptions.tls ?? undefined, apiKey };
}

/** The error for "nothing answers there", saying which setting to check. */
export function unreachableTemporalError(config: RelayConfig, address: string, error: unknown): Error {
  const { address: configured, profile } = config.temporal;
  const hint = configured
    ? `Check TEMPORAL_ADDRESS${profile ? ` (or the address in profile "${profile}")` : ''} and the TLS and API key settings.`
    : 'Start the relay first (`npm start`), or set TEMPORAL_ADDRESS.';
  return new Error(`cannot reach Temporal at ${address}: ${(error as Error).message}\n${hint}`);
}

/**
 * Connects a Temporal client, with an error that says what to do when nothing is listening. Its data converter
 * encrypts what it sends and decrypts what it reads with the relay's keys (RELAY_ENCRYPTION_KEYS or the key file).
 */
export async function connectClient(
  config: RelayConfig,
  embeddedAddress = temporalAddress(config),
  dataConverter: DataConverter = relayDataConverter(config),
): Promise<Client> {
  const options = temporalConnectionOptions(config, embeddedAddress);
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...options, connectTimeout: 5_000 });
  } catch (error) {
    throw unreachableTemporalError(config, options.address, error);
  }
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter });
}
