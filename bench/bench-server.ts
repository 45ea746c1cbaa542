/**
 * The Temporal server a pipeline benchmark runs against: the embedded dev server (SQLite in memory), the
 * production-shaped server on PostgreSQL (`startTemporalCluster`), or one that is already running (`--address`).
 */
import path from 'node:path';
import { registerSearchAttributes, startDevServer } from '../workers/dev-server';
import { resolveTemporalBinary, resolveTemporalServerBinaries, TEMPORAL_SERVER_VERSION } from '../workers/temporal-binary';
import { startTemporalCluster } from '../workers/temporal-cluster';
import type { BenchCleanup } from './bench-cleanup';
import { findTemporalServerPid, note } from './pipeline-stats';

/** `dev` and `cluster` are started for the run and stopped after it; `existing` is only used. */
export type ServerChoice = { kind: 'dev' } | { kind: 'cluster' } | { kind: 'existing'; address: string };

/** A server ready for the relay: namespace registered, search attributes usable. */
export interface BenchServer {
  address: string;
  namespace: string;
  /** `dev server`, `Temporal server 1.29.1 on PostgreSQL`, or `existing server at host:port`. */
  description: string;
  /** The server process when we started it (for its peak RSS). */
  pid?: number;
  startMs: number;
}

/** Starts (or checks) the chosen server; what it starts is registered with `cleanup`. */
export async function startBenchServer(choice: ServerChoice, namespace: string, cleanup: BenchCleanup): Promise<BenchServer> {
  const began = performance.now();
  const elapsed = () => performance.now() - began;
  if (choice.kind === 'existing') {
    note(`using the Temporal server at ${choice.address}, namespace ${namespace}`);
    await registerSearchAttributes({ address: choice.address }, namespace);
    return { address: choice.address, namespace, description: `existing server at ${choice.address}`, startMs: elapsed() };
  }
  if (choice.kind === 'dev') {
    note('starting the Temporal dev server');
    const binary = await resolveTemporalBinary({
      explicitPath: process.env.TEMPORAL_BINARY || undefined,
      searchPath: process.env.PATH ?? '',
      log: note,
    });
    const devServer = await startDevServer({ binary, namespace, port: 0, uiPort: false });
    cleanup.add('dev server', () => devServer.stop());
    const pid = findTemporalServerPid();
    cleanup.watchProcess(pid, 'start-dev');
    return { address: devServer.address, namespace, description: 'dev server', pid, startMs: elapsed() };
  }
  note('starting the Temporal server on PostgreSQL (fresh databases)');
  const binaries = await resolveTemporalServerBinaries({
    serverBinary: process.env.TEMPORAL_SERVER_BINARY || undefined,
    sqlTool: process.env.TEMPORAL_SQL_TOOL || undefined,
    cacheDir: process.env.RELAY_CACHE_DIR ? path.resolve(process.env.RELAY_CACHE_DIR) : undefined,
    searchPath: process.env.PATH ?? '',
    log: note,
  });
  const cluster = await startTemporalCluster({ binaries, namespace });
  cleanup.add('Temporal server', () => cluster.stop());
  const pid = findTemporalServerPid();
  cleanup.watchProcess(pid, 'temporal-server');
  cleanup.watchDatabase(cluster.databases.default);
  cleanup.watchDatabase(cluster.databases.visibility);
  cleanup.watchDirectory(path.dirname(cluster.logFile));
  return {
    address: cluster.address,
    namespace,
    description: `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL`,
    pid,
    startMs: elapsed(),
  };
}
