/**
 * `relay worker` as N child processes for the pipeline benchmark: started together, each awaited until it prints
 * its ready line, stopped with SIGINT (as Ctrl-C would) and awaited until gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const RELAY_BIN = path.join(__dirname, '..', 'bin', 'relay.js');
const READY_LINE = 'esper-relay ready';
/** Two workers bundling their workflows at once on a busy 2-core machine take a while. */
const READY_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 30_000;
/** Of each child's stderr, what an error message quotes. */
const STDERR_TAIL_CHARS = 2_000;

/** Started worker processes; `stop()` is safe to call twice, also while they are starting. */
export interface WorkerProcesses {
  pids: number[];
  /** Resolves once every process printed its ready line; rejects (after stopping them all) if one did not. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** The only variables a child inherits besides `env`, so the caller's own TEMPORAL_* / RELAY_* cannot leak in. */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG'] as const;

/**
 * Starts `count` `relay worker` processes with `env` (each with its own RELAY_DATA_DIR under `dataRoot`, also its
 * working directory, so no `.env` file is picked up). `onUnexpectedExit` hears of a process that exits while it
 * should be running.
 */
export function startWorkerProcesses(
  count: number,
  env: Record<string, string>,
  dataRoot: string,
  onUnexpectedExit: (error: Error) => void,
): WorkerProcesses {
  const inherited = Object.fromEntries(INHERITED.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
  const children = Array.from({ length: count }, (_, index) => {
    const dataDir = path.join(dataRoot, `worker-${index + 1}`);
    mkdirSync(dataDir, { recursive: true });
    // Detached: a Ctrl-C on the terminal reaches the benchmark only, which then stops the workers in order.
    const child = spawn(process.execPath, [RELAY_BIN, 'worker'], {
      cwd: dataDir,
      env: { ...inherited, ...env, RELAY_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    return child;
  });
  let stopping = false;
  const stop = onceOnly(() => {
    stopping = true;
    return Promise.all(children.map(stopWorker)).then(() => undefined);
  });
  children.forEach((child, index) =>
    child.once('exit', (code, signal) => {
      if (!stopping) onUnexpectedExit(new Error(`relay worker ${index + 1} exited (${signal ?? code}) during the run`));
    }),
  );
  const ready = Promise.all(children.map((child, index) => untilReady(child, `worker ${index + 1}`))).then(
    () => undefined,
    async (error: unknown) => {
      await stop();
      throw error;
    },
  );
  return { pids: children.flatMap((child) => (child.pid === undefined ? [] : [child.pid])), ready, stop };
}

/** Resolves on the ready line; rejects on an early exit or after READY_TIMEOUT_MS, quoting the child's stderr. */
function untilReady(child: ChildProcess, name: string): Promise<void> {
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL_CHARS)));
  let stdout = '';
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`relay ${name} printed no ready line within ${READY_TIMEOUT_MS / 1000} s: ${stderr}`)),
      READY_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      stdout = (stdout + chunk.toString()).slice(-STDERR_TAIL_CHARS);
      if (!stdout.includes(READY_LINE)) return;
      clearTimeout(timer);
      // Keep draining stdout so a chatty worker never blocks on a full pipe.
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve();
    };
    child.stdout!.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start relay ${name}: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`relay ${name} exited (${signal ?? code}) before it was ready: ${stderr}`));
    });
  });
}

/** SIGINT, then SIGKILL after STOP_GRACE_MS; resolves once the process has exited. */
function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
}

function onceOnly<T>(run: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= run());
}
