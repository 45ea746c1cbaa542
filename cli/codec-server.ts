/**
 * `relay codec-server`: the codec endpoint alone, for a Web UI the relay did not start (production). It needs
 * the same keys as the workers (RELAY_ENCRYPTION_KEYS, or the key file in RELAY_DATA_DIR) and never makes one up.
 */
import type { RelayConfig } from '../contracts/config';
import { EncryptionCodec } from '../contracts/payload-codec';
import { startCodecServer, webUiOrigins } from '../workers/codec-server';
import { resolveEncryptionKeys } from '../workers/payload-encryption';
import { processIo, type CliIo } from './io';

export interface CodecServerCommandOptions {
  /** Default RELAY_CODEC_PORT. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Web UI origins allowed to call it; default the embedded UI's (`http://127.0.0.1:TEMPORAL_UI_PORT`, localhost). */
  origins?: string[];
}

/** Serves the codec endpoint until Ctrl-C (SIGINT) or SIGTERM. */
export async function runCodecServer(config: RelayConfig, options: CodecServerCommandOptions, io: CliIo = processIo): Promise<void> {
  // A key made up here could decrypt nothing the workers wrote, so only existing keys count.
  const keys = resolveEncryptionKeys(config, { generate: false });
  if (keys.length === 0) {
    throw new Error(
      `no encryption keys: set RELAY_ENCRYPTION_KEYS to the workers' keys, or RELAY_DATA_DIR to the relay's data dir (${config.encryption.keyFile} does not exist)`,
    );
  }
  const allowedOrigins = options.origins?.length ? options.origins : webUiOrigins(config.temporal.uiPort);
  const server = await startCodecServer({
    codec: new EncryptionCodec(keys, { encrypt: config.encryption.encrypt }),
    port: options.port ?? config.encryption.codecPort,
    host: options.host,
    allowedOrigins,
    token: config.encryption.codecToken,
  });
  const access = config.encryption.codecToken
    ? 'callers must present RELAY_CODEC_TOKEN (Authorization: Bearer, or the browser login at the endpoint)'
    : 'no token: anyone on this machine can decode';
  io.out.write(
    `codec endpoint ${server.url} — keys ${keys.map((key) => key.id).join(', ')}; Web UI origins ${allowedOrigins.join(', ')}; ${access}. ` +
      `Point the UI at it (temporal server start-dev --ui-codec-endpoint ${server.url}, or TEMPORAL_CODEC_ENDPOINT). Ctrl-C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
}
