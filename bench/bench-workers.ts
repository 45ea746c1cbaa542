/**
 * The relay's side of a pipeline benchmark run: its environment (one for the client, the in-process worker and
 * every worker process), its store (embedded, or a fresh PostgreSQL database) and its workers (in this process,
 * or N `relay worker` processes).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { temporalConnectionOptions } from '../workers/connect';
import { loadConfig, type RelayConfig } from '../contracts/config';
import { createFreshDatabase, type FreshDatabase } from '../workers/local-postgres';
import { openRelayStore } from '../workers/store';
import { createRelayWorker } from '../workers/worker';
import type { BenchCleanup } from './bench-cleanup';
import { note } from './pipeline-stats';
import { startWorkerProcesses } from './worker-processes';

/** `embedded`: PGlite under the data dir (one process only); `postgres`: a fresh database on 127.0.0.1:5432. */
export type StoreKind = 'embedded' | 'postgres';

/** What one run's relay is made of. */
export interface RelaySetup {
  address: string;
  namespace: string;
  taskQueue: string;
  claudeUrl: string;
  /** `keyId:base64key`, shared by the client and every worker so each can read what the others wrote. */
  encryptionKeys: string;
  /** Set for the `postgres` store. */
  databaseUrl?: string;
}

/** A key for RELAY_ENCRYPTION_KEYS, new for each benchmark invocation. */
export const generateEncryptionKeys = () => `bench:${randomBytes(32).toString('base64')}`;

/** The relay's environment for this run; worker processes get exactly this (plus their own data dir). */
export function relayEnvironment(setup: RelaySetup, dataDir: string): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: setup.address,
    TEMPORAL_NAMESPACE: setup.namespace,
    TEMPORAL_TASK_QUEUE: setup.taskQueue,
    RELAY_DATA_DIR: dataDir,
    ...(setup.databaseUrl ? { RELAY_DATABASE_URL: setup.databaseUrl } : {}),
    RELAY_ENCRYPTION_KEYS: setup.encryptionKeys,
    ANTHROPIC_API_KEY: 'bench-key',
    ANTHROPIC_BASE_URL: setup.claudeUrl,
    RELAY_RATE_LIMIT: 'off',
    RELAY_LOG_LEVEL: 'warn',
    RELAY_METRICS_LISTEN: 'off',
    // `relay worker` would otherwise play Esper in-process: a training run signalling Temporal every few ms.
    ESPER_SIMULATOR: 'off',
  };
}

/** The relay's config for this run, parsed as every process parses it (no `.env` file). */
export const relayConfig = (setup: RelaySetup, dataDir: string): RelayConfig =>
  loadConfig(relayEnvironment(setup, dataDir), '/nonexistent/.env');

/** A fresh PostgreSQL database for a run's store (its URL goes into RELAY_DATABASE_URL); dropped at cleanup at the latest. */
export async function createStoreDatabase(cleanup: BenchCleanup): Promise<FreshDatabase> {
  const database = await createFreshDatabase('relay_bench');
  cleanup.watchDatabase(database.name);
  cleanup.add(`database ${database.name}`, () => database.drop());
  return database;
}

/** Running workers for one run; `pids` are the worker processes (none for the in-process worker). */
export interface BenchWorkers {
  pids: number[];
  /** How long start-up took (the in-process worker: mostly bundling the workflows). */
  startMs: number;
  stop(): Promise<void>;
}

/**
 * Starts `processes` `relay worker` processes, or with 0 the worker in this process (as `npm run bench` always
 * did). Fails if the run is invalid: worker processes need the `postgres` store, which every process can reach.
 */
export async function startBenchWorkers(
  processes: number,
  setup: RelaySetup,
  dataDir: string,
  cleanup: BenchCleanup,
  onFailure: (error: Error) => void,
): Promise<BenchWorkers> {
  const began = performance.now();
  mkdirSync(dataDir, { recursive: true });
  if (processes > 0) {
    if (!setup.databaseUrl) throw new Error(workerProcessesNeedPostgres);
    note(`starting ${processes} relay worker process(es) on task queue ${setup.taskQueue}`);
    const started = startWorkerProcesses(processes, relayEnvironment(setup, dataDir), dataDir, onFailure);
    for (const pid of started.pids) cleanup.watchProcess(pid, 'relay.js');
    cleanup.add('worker processes', () => started.stop());
    await started.ready;
    return { pids: started.pids, startMs: performance.now() - began, stop: started.stop };
  }
  const config = relayConfig(setup, dataDir);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const opened = await openRelayStore(config).catch(async (error: unknown) => {
    await connection.close();
    throw error;
  });
  const worker = await createRelayWorker(config, { connection, store: opened.store }).catch(async (error: unknown) => {
    await opened.close();
    await connection.close();
    throw error;
  });
  const running = worker.run();
  running.catch((error: unknown) => onFailure(error as Error));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await opened.close();
      await connection.close();
    })());
  cleanup.add('worker', stop);
  return { pids: [], startMs: performance.now() - began, stop };
}

/** Why `--workers N` (N ≥ 1) needs `--store postgres`. */
export const workerProcessesNeedPostgres =
  '--workers N (N ≥ 1) needs --store postgres: the embedded store belongs to one process, and every worker process ' +
  "must share the relay's state (rate limits, conversations, receipts).";

/** Where a worker set's data dirs go: one per run, so runs never share a file. */
export const workerDataDir = (root: string, label: string) => path.join(root, label.replace(/[^a-z0-9-]+/gi, '-'));
