/**
 * `relay up` and `relay worker`: the whole relay in one process — the embedded Temporal dev server (unless
 * TEMPORAL_ADDRESS points at one), the worker, and the enabled channels — with a clean, ordered shutdown.
 */
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { RelayConfig } from '../contracts/config';
import { connectClient, temporalAddress } from '../client/connect';
import { startTelegramChannel, type TelegramChannel } from '../client/telegram/bot';
import { startCodecServer, webUiOrigins, type CodecServer } from './codec-server';
import { registerSearchAttributes, startDevServer, type DevServer } from './dev-server';
import { resolveTemporalBinary } from './temporal-binary';
import { installTemporalLogging } from './logger';
import { createPayloadCodec, relayDataConverter } from './payload-encryption';
import { createRelayWorker } from './worker';

export interface RunningRelay {
  address: string;
  uiUrl?: string;
  /** The codec endpoint the embedded Web UI decrypts payloads through. */
  codecUrl?: string;
  /** The key new payloads are encrypted with; `undefined` with RELAY_ENCRYPTION=off. */
  encryptionKeyId?: string;
  channels: string[];
  /** Resolves when the worker stops (after `stop()` or a fatal worker error). */
  finished: Promise<void>;
  stop(): Promise<void>;
}

export interface RelayParts {
  /** Start the channels (Telegram) too; `relay worker` runs the worker alone. */
  channels: boolean;
  /**
   * Start the embedded dev server when TEMPORAL_ADDRESS is unset (`relay up`); `relay worker` instead joins the
   * server already running on the embedded port.
   */
  embeddedServer: boolean;
}

/** Starts the relay; `stop()` shuts down channels, then the worker, then the dev server. */
export async function startRelay(
  config: RelayConfig,
  log: Logger,
  parts: RelayParts = { channels: true, embeddedServer: true },
): Promise<RunningRelay> {
  installTemporalLogging(log);
  // One codec for the whole process: the worker, the channels' client and the Web UI's endpoint share its keys.
  const codec = createPayloadCodec(config);
  const dataConverter = relayDataConverter(config, codec);
  let devServer: DevServer | undefined;
  let codecServer: CodecServer | undefined;
  let address = parts.embeddedServer ? config.temporal.address : temporalAddress(config);
  if (!address) {
    if (codec.keyIds.length > 0) {
      codecServer = await startCodecServer({
        codec,
        port: config.encryption.codecPort,
        allowedOrigins: webUiOrigins(config.temporal.uiPort),
      });
    }
    const binary = await resolveTemporalBinary({
      explicitPath: config.temporal.binary,
      cacheDir: config.temporal.cacheDir,
      searchPath: config.temporal.searchPath,
      log: (line) => log.info(line),
    });
    devServer = await startDevServer({
      binary,
      namespace: config.temporal.namespace,
      port: config.temporal.port,
      uiPort: config.temporal.uiPort,
      dbFile: path.join(config.dataDir, 'temporal.db'),
      codecEndpoint: codecServer?.url,
    }).catch(async (error: Error) => {
      await codecServer?.close();
      throw error;
    });
    address = devServer.address;
  } else {
    await registerSearchAttributes(address, config.temporal.namespace).catch((error: Error) =>
      log.warn(
        { err: error },
        'could not register search attributes; register RelayChannel, RelayChatId, RelayUserId, RelayRoute, RelayOutcome (Keyword) yourself',
      ),
    );
  }

  const connection = await NativeConnection.connect({ address });
  const worker = await createRelayWorker(config, { connection, log, worker: { dataConverter } });
  const finished = worker.run();
  const channels: TelegramChannel[] = [];
  const enabled: string[] = [];
  try {
    if (parts.channels && config.channels.includes('cli')) enabled.push('cli');
    if (parts.channels && config.channels.includes('telegram') && config.telegram.token) {
      channels.push(await startTelegramChannel(config, await connectClient(config, address, dataConverter), log));
      enabled.push('telegram');
    }
  } catch (error) {
    worker.shutdown();
    await finished.catch(() => undefined);
    await devServer?.stop();
    await codecServer?.close();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.all(channels.map((channel) => channel.stop('shutdown')));
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await finished.catch((error: Error) => log.error({ err: error }, 'worker stopped with an error'));
      await connection.close();
      await devServer?.stop();
      await codecServer?.close();
    })());
  return {
    address,
    uiUrl: devServer?.uiUrl,
    codecUrl: codecServer?.url,
    encryptionKeyId: codec.encryptingWith,
    channels: enabled,
    finished,
    stop,
  };
}
