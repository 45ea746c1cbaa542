/**
 * `relay up` and `relay worker`: the whole relay in one process — the embedded Temporal dev server (unless
 * TEMPORAL_ADDRESS points at one), the codec endpoint for its Web UI, the metrics endpoint, the worker, and the
 * enabled channels — stopped in the reverse order they started.
 */
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { connectClient, temporalAddress, temporalConnectionOptions, unreachableTemporalError } from './connect';
import { startTelegramChannel } from '../client/telegram/bot';
import type { RelayConfig } from '../contracts/config';
import { startCodecServer, webUiOrigins } from './codec-server';
import { registerSearchAttributes, startDevServer } from './dev-server';
import { startEmbeddedEsper } from './esper';
import { operatorSimulatorOptions } from './esper-simulator';
import { installTemporalLogging } from './logger';
import { createRelayMetrics, startMetricsServer } from './metrics';
import { createPayloadCodec, relayDataConverter } from './payload-encryption';
import { resolveTemporalBinary } from './temporal-binary';
import { openRelayStore } from './store';
import { createRelayWorker } from './worker';

export interface RunningRelay {
  address: string;
  uiUrl?: string;
  /** The codec endpoint the embedded Web UI decrypts payloads through. */
  codecUrl?: string;
  /** Prometheus metrics of this process (Claude breaker state, calls, tokens, Telegram sends). */
  metricsUrl?: string;
  /** Where the relay's state lives (PostgreSQL or the embedded database), for the ready line. */
  store?: string;
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

/** What was started, undone last-first on stop or when a later part fails to start. */
class StartedParts {
  private readonly undo: Array<() => Promise<void>> = [];
  add(stop: () => Promise<void>): void {
    this.undo.push(stop);
  }
  async stopAll(log: Logger): Promise<void> {
    for (const stop of this.undo.splice(0).reverse())
      await stop().catch((error: Error) => log.error({ err: error }, 'a part failed to stop'));
  }
}

/** Starts the relay; `stop()` shuts down channels, then the worker, then the servers. */
export async function startRelay(
  config: RelayConfig,
  log: Logger,
  parts: RelayParts = { channels: true, embeddedServer: true },
): Promise<RunningRelay> {
  installTemporalLogging(log);
  // One codec for the whole process: the worker, the channels' client and the Web UI's endpoint share its keys.
  const codec = createPayloadCodec(config);
  const dataConverter = relayDataConverter(config, codec);
  const started = new StartedParts();
  const running: Omit<RunningRelay, 'finished' | 'stop'> = { address: '', encryptionKeyId: codec.encryptingWith, channels: [] };
  try {
    let address = parts.embeddedServer ? config.temporal.address : temporalAddress(config);
    if (!address) {
      if (codec.keyIds.length > 0) {
        const codecServer = await startCodecServer({
          codec,
          port: config.encryption.codecPort,
          allowedOrigins: webUiOrigins(config.temporal.uiPort),
          token: config.encryption.codecToken,
        });
        started.add(() => codecServer.close());
        running.codecUrl = codecServer.url;
      }
      const devServer = await startDevServer({
        binary: await resolveTemporalBinary({
          explicitPath: config.temporal.binary,
          cacheDir: config.temporal.cacheDir,
          searchPath: config.temporal.searchPath,
          log: (line) => log.info(line),
        }),
        namespace: config.temporal.namespace,
        port: config.temporal.port,
        uiPort: config.temporal.uiPort,
        dbFile: path.join(config.dataDir, 'temporal.db'),
        codecEndpoint: running.codecUrl,
      });
      started.add(() => devServer.stop());
      address = devServer.address;
      running.uiUrl = devServer.uiUrl;
    } else {
      await registerSearchAttributes(temporalConnectionOptions(config), config.temporal.namespace).catch((error: Error) =>
        log.warn(
          { err: error },
          'could not register search attributes; register RelayChannel, RelayChatId, RelayUserId, RelayRoute, RelayOutcome (Keyword) yourself',
        ),
      );
    }
    running.address = address;

    const metrics = createRelayMetrics();
    if (config.metricsListen) {
      // Metrics are worth a warning, not a failed start (say a second `relay worker` on the same machine).
      const metricsServer = await startMetricsServer(metrics.registry, config.metricsListen).catch((error: Error) => {
        log.warn({ err: error }, 'metrics are not served');
        return undefined;
      });
      if (metricsServer) started.add(() => metricsServer.close());
      running.metricsUrl = metricsServer?.url;
    }

    const options = temporalConnectionOptions(config, address);
    const connection = await NativeConnection.connect(options).catch((error: unknown) => {
      throw unreachableTemporalError(config, options.address, error);
    });
    started.add(() => connection.close());
    // Esper: Oona on Redis when configured, else the in-process bus with the simulator (see workers/esper.ts).
    // Started before the worker and stopped after it, so activities still publish while the worker drains. The
    // ingress reads Urza's catalogue from the activities' store, so both get the same one.
    const opened = await openRelayStore(config, log);
    started.add(() => opened.close());
    const store = opened.store;
    running.store = store.description;
    const esperClient = await connectClient(config, address, dataConverter);
    started.add(() => esperClient.connection.close());
    const esper = startEmbeddedEsper({
      client: esperClient,
      taskQueue: config.temporal.taskQueue,
      store,
      log,
      busConfig: config.esper.bus,
      runSimulator: config.esper.simulator,
      simulator: operatorSimulatorOptions(config),
      compileSlots: config.esper.compileSlots,
      rollbackConfirmationMs: config.esper.rollbackConfirmationMs,
      health: { settings: config.esper.breakers },
    });
    started.add(() => esper.stop());
    const worker = await createRelayWorker(config, {
      connection,
      log,
      metrics,
      worker: { dataConverter },
      store,
      deps: { esper: esper.deps },
    });
    const finished = worker.run();
    started.add(async () => {
      worker.shutdown();
      await finished.catch((error: Error) => log.error({ err: error }, 'worker stopped with an error'));
    });

    if (parts.channels && config.channels.includes('cli')) running.channels.push('cli');
    if (parts.channels && config.channels.includes('telegram') && config.telegram.token) {
      const channelClient = await connectClient(config, address, dataConverter);
      started.add(() => channelClient.connection.close());
      const channel = await startTelegramChannel(config, { client: channelClient, store, log, metrics });
      started.add(() => channel.stop('shutdown'));
      running.channels.push('telegram');
    }

    let stopping: Promise<void> | undefined;
    return { ...running, finished, stop: () => (stopping ??= started.stopAll(log)) };
  } catch (error) {
    await started.stopAll(log);
    throw error;
  }
}
