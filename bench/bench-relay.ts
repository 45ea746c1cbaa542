/**
 * The relay an Esper benchmark measures: its own Temporal dev server, a real worker, the embedded Esper side (bus,
 * ingresses, optionally the simulator) and a file store in a temporary data dir; `stop` tears it all down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { connectClient, temporalConnectionOptions } from '../workers/connect';
import { loadConfig } from '../contracts/config';
import { startDevServer } from '../workers/dev-server';
import { startEmbeddedEsper, type EmbeddedEsper, type EmbeddedEsperOptions } from '../workers/esper';
import { createLogger, installTemporalLogging } from '../workers/logger';
import { resolveTemporalBinary } from '../workers/temporal-binary';
import { openRelayStore } from '../workers/store';
import { createRelayWorker } from '../workers/worker';

export interface BenchRelay {
  client: Client;
  esper: EmbeddedEsper;
  taskQueue: string;
  stop(): Promise<void>;
}

/** Logs for the person running the benchmark go to stderr, so `--json` output stays clean. */
export const note = (line: string) => process.stderr.write(`${line}\n`);

export async function startBenchRelay(
  taskQueue: string,
  esperOptions: Omit<EmbeddedEsperOptions, 'client' | 'taskQueue' | 'store'>,
): Promise<BenchRelay> {
  installTemporalLogging(createLogger({ logLevel: 'warn' }, 'bench'));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `relay-${taskQueue}-`));
  const binary = await resolveTemporalBinary({
    explicitPath: process.env.TEMPORAL_BINARY || undefined,
    searchPath: process.env.PATH ?? '',
    log: note,
  });
  const devServer = await startDevServer({ binary, namespace: 'default', port: 0, uiPort: false });
  const config = loadConfig(
    { TEMPORAL_ADDRESS: devServer.address, TEMPORAL_TASK_QUEUE: taskQueue, RELAY_DATA_DIR: dataDir, RELAY_LOG_LEVEL: 'warn' },
    '/nonexistent/.env',
  );
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const client = await connectClient(config);
  const opened = await openRelayStore(config);
  const store = opened.store;
  const esper = startEmbeddedEsper({ client, taskQueue: config.temporal.taskQueue, store, ...esperOptions });
  const worker = await createRelayWorker(config, { connection, store, deps: { esper: esper.deps } });
  const running = worker.run();
  return {
    client,
    esper,
    taskQueue: config.temporal.taskQueue,
    stop: async () => {
      worker.shutdown();
      await running;
      await esper.stop();
      await opened.close();
      await client.connection.close();
      await connection.close();
      await store.close();
      await devServer.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
