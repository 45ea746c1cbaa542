/**
 * A production-shaped Temporal for tests and benches: the real `temporal-server` (all services in one process)
 * on fresh PostgreSQL databases with SQL visibility, every port picked free at runtime, stopped and dropped after.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { searchAttributes } from '../contracts/temporal';
import { registerSearchAttributes, stopChild, waitUntilServing } from './dev-server';
import { ensurePostgres, LOCAL_POSTGRES, type PostgresTarget } from './local-postgres';
import { CLUSTER_PORT_NAMES, renderDynamicConfig, renderServerConfig, type ClusterPorts } from './temporal-cluster-config';
import type { TemporalServerBinaries } from './temporal-binary';
import { createTemporalDatabase, dropDatabases, POSTGRES_SCHEMAS } from './temporal-schema';

export interface TemporalClusterOptions {
  /** From `resolveTemporalServerBinaries`. */
  binaries: TemporalServerBinaries;
  /** Registered after start; default `default`. */
  namespace?: string;
  /** Default: this machine's PostgreSQL (127.0.0.1:5432, user postgres), started if installed but down. */
  postgres?: PostgresTarget;
  /** Default 4: enough for several workers, and few shards start fast on 2 cores (the dev server runs 1). */
  historyShards?: number;
  /** Server log level; default `warn`. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long start-up may take before it fails; default 180 s (a busy 2-core machine). */
  startTimeoutMs?: number;
}

export interface TemporalCluster {
  /** `127.0.0.1:<port>` of the frontend, for TEMPORAL_ADDRESS. */
  address: string;
  namespace: string;
  /** The server's databases, e.g. `relay_t_1a2b3c4d` and `relay_t_1a2b3c4d_vis`. */
  databases: { default: string; visibility: string };
  /** Everything the server printed; kept until `stop()`. */
  logFile: string;
  /** Stops the server, drops its databases and removes its config dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts a fresh server and resolves once the namespace and the relay's search attributes are usable. */
export async function startTemporalCluster(options: TemporalClusterOptions): Promise<TemporalCluster> {
  const postgres = options.postgres ?? LOCAL_POSTGRES;
  const namespace = options.namespace ?? 'default';
  const deadline = Date.now() + (options.startTimeoutMs ?? 180_000);
  await ensurePostgres(postgres);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'temporal-cluster-'));
  const logFile = path.join(dir, 'server.log');
  const name = `relay_t_${randomBytes(4).toString('hex')}`;
  const databases = { default: name, visibility: `${name}_vis` };
  const ports = await freePorts();
  const address = `127.0.0.1:${ports.frontend}`;
  const dynamicConfigFile = path.join(dir, 'dynamic-config.yaml');
  writeFileSync(dynamicConfigFile, renderDynamicConfig());
  const config = { postgres, database: databases.default, visibilityDatabase: databases.visibility, ports, dynamicConfigFile };
  writeFileSync(
    path.join(dir, 'cluster.yaml'),
    renderServerConfig({ ...config, historyShards: options.historyShards ?? 4, logLevel: options.logLevel ?? 'warn' }),
  );

  const cleanUp = () => dropDatabases(postgres, [databases.default, databases.visibility]);
  try {
    await createTemporalDatabase(options.binaries.sqlTool, postgres, databases.default, POSTGRES_SCHEMAS.default);
    await createTemporalDatabase(options.binaries.sqlTool, postgres, databases.visibility, POSTGRES_SCHEMAS.visibility);
  } catch (error) {
    await cleanUp().catch(() => undefined);
    throw error;
  }

  // The server logs to stderr (the config has no output file), so early failures land in the same file.
  const log = openSync(logFile, 'a');
  const args = ['--root', dir, '--config', '.', '--env', 'cluster', '--allow-no-auth', 'start'];
  const child = spawn(options.binaries.server, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', resolve);
    // A binary that cannot be run at all never emits `exit`; report it like an early exit.
    child.once('error', (error) => {
      writeFileSync(logFile, `could not run ${options.binaries.server}: ${error.message}\n`, { flag: 'a' });
      resolve(null);
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await stopChild(child, exited, 20_000);
      await cleanUp();
      rmSync(dir, { recursive: true, force: true });
    })());

  try {
    const output = () => `${lastComplaints(logFile)} (full log: ${logFile})`;
    await waitUntilServing(address, exited, { name: 'the Temporal server', output, timeoutMs: deadline - Date.now() });
    await untilDeadline(deadline, output, () => registerNamespace(address, namespace));
    await untilDeadline(deadline, output, () => registerSearchAttributes({ address }, namespace));
    await untilDeadline(deadline, output, () => queryBySearchAttribute(address, namespace));
  } catch (error) {
    // Keep the log for the error message; only the server and its databases go.
    await stopChild(child, exited, 20_000);
    await cleanUp().catch(() => undefined);
    throw error;
  }
  return { address, namespace, databases, logFile, stop };
}

/**
 * Nine distinct free loopback ports below 32768: the server records its services' ports in PostgreSQL as
 * SMALLINT (`cluster_membership`), so the OS's ephemeral range (32768 and up) would not fit.
 */
async function freePorts(): Promise<ClusterPorts> {
  const taken = new Set<number>();
  while (taken.size < CLUSTER_PORT_NAMES.length) {
    const port = LOW_PORTS.first + Math.floor(Math.random() * (LOW_PORTS.last - LOW_PORTS.first));
    if (!taken.has(port) && (await isFree(port))) taken.add(port);
  }
  const values = [...taken];
  return Object.fromEntries(CLUSTER_PORT_NAMES.map((name, i) => [name, values[i]!])) as unknown as ClusterPorts;
}

/** Above the usual fixed service ports (Temporal's 7233…, Redis, PostgreSQL), below the SMALLINT limit. */
const LOW_PORTS = { first: 20_000, last: 32_767 };

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Retries `attempt` (the server answers "not enough hosts" while its services join) until it works or time is up. */
async function untilDeadline(deadline: number, output: () => string, attempt: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the Temporal server did not get ready: ${(error as Error).message}; ${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

const ALREADY_EXISTS = 6;
/** A day of retention is plenty for tests and benches; the server requires some value. */
const RETENTION = '1 day';

async function registerNamespace(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION) });
  } catch (error) {
    if ((error as { code?: number }).code !== ALREADY_EXISTS) throw error;
  } finally {
    await connection.close();
  }
}

/**
 * SQL visibility keeps custom search attributes per namespace, and each service learns them from its namespace
 * cache (refreshed every 2 s by default). A query on one succeeding means the frontend has them; one more refresh
 * interval lets history (which validates the workflows' upserts) catch up.
 */
async function queryBySearchAttribute(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.listWorkflowExecutions({ namespace, query: `${searchAttributes.chatId.name} = "probe"` });
  } finally {
    await connection.close();
  }
  await new Promise((resolve) => setTimeout(resolve, 2_500));
}

/** The server's last complaints (JSON log lines reduced to level, message and error), for error messages. */
function lastComplaints(file: string): string {
  let lines: string[];
  try {
    lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return 'no output';
  }
  const summaries = lines.map((line) => {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
      return {
        serious: entry.level === 'error' || entry.level === 'fatal',
        text: [entry.level, entry.msg, entry.error].filter(Boolean).join(' '),
      };
    } catch {
      return { serious: true, text: line };
    }
  });
  const serious = summaries.filter((summary) => summary.serious);
  const chosen = (serious.length > 0 ? serious : summaries).slice(-3);
  return chosen.map((summary) => summary.text.slice(0, 300)).join(' | ') || 'no output';
}
