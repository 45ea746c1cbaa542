/**
 * The embedded Temporal: `temporal server start-dev` persisted to a SQLite file under the data dir, with the
 * Web UI, started as our child process and stopped with us.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { searchAttributeNames } from '../contracts/temporal';

export interface DevServerOptions {
  binary: string;
  namespace: string;
  /** gRPC port; 0 picks a free one. */
  port: number;
  /** Web UI port; 0 picks a free one, `false` runs headless. */
  uiPort: number | false;
  /** SQLite file; omit for an in-memory server (tests). */
  dbFile?: string;
  /** The codec endpoint (`http://127.0.0.1:8234`) the Web UI decrypts payloads through; omit for none. */
  codecEndpoint?: string;
  /** More `start-dev` flags (e.g. `--dynamic-config-value KEY=VALUE`). */
  extraArgs?: string[];
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

/** Starts the dev server, waits until it answers, and registers our search attributes idempotently. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const port = options.port || (await freePort());
  const uiPort = options.uiPort === false ? undefined : options.uiPort || (await freePort());
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    options.namespace,
    '--log-level',
    'error',
  ];
  // Hand an activity scheduled by a workflow task straight back to the worker that completed it, skipping a
  // round trip through matching: a lone message takes ~300 ms instead of ~560 ms here (BENCHMARKS.md).
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');
  if (uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(uiPort), '--ui-ip', '127.0.0.1');
  if (uiPort !== undefined && options.codecEndpoint) args.push('--ui-codec-endpoint', options.codecEndpoint);
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  args.push(...(options.extraArgs ?? []));
  const child = spawn(options.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(address, exited, {
      name: 'the Temporal dev server',
      output: () => stderr.trim() || 'no output',
      timeoutMs: 60_000,
    });
    await registerSearchAttributes({ address }, options.namespace);
  } catch (error) {
    await stopChild(child, exited);
    throw error;
  }
  return {
    address,
    uiUrl: uiPort === undefined ? undefined : `http://127.0.0.1:${uiPort}`,
    stop: () => stopChild(child, exited),
  };
}

/** How `waitUntilServing` names the process and explains its failure. */
export interface ServingWait {
  name: string;
  /** What the process said, for the error when it exits early. */
  output: () => string;
  timeoutMs: number;
}

/** Resolves once the gRPC health check at `address` answers; fails early if the process exits. */
export async function waitUntilServing(address: string, exited: Promise<number | null>, wait: ServingWait): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  const deadline = Date.now() + wait.timeoutMs;
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`${wait.name} exited (${gone}) while starting: ${wait.output()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.healthService.check({});
        return;
      } finally {
        await connection.close();
      }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`${wait.name} on ${address} did not become ready within ${wait.timeoutMs / 1000} s: ${wait.output()}`);
}

/**
 * Adds our Keyword search attributes. `--search-attribute` only applies when a persisted namespace is first
 * created, so this goes through the operator API and treats "already exists" as success.
 */
export async function registerSearchAttributes(connectionOptions: ConnectionOptions, namespace: string): Promise<void> {
  const connection = await Connection.connect(connectionOptions);
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = searchAttributeNames.filter((name) => !(name in (existing.customAttributes ?? {})));
    if (missing.length === 0) return;
    const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    });
  } finally {
    await connection.close();
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export async function stopChild(child: ChildProcess, exited: Promise<number | null>, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
