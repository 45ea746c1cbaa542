/**
 * Everything a benchmark run starts is undone in reverse order, on success, failure or Ctrl-C; and a detached
 * guardian shell undoes what it can should the benchmark die without cleaning up (SIGKILL — which tsx sends when
 * an interrupted child is too busy to acknowledge the signal within 30 ms).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { PostgresTarget } from '../workers/local-postgres';
import { note } from './pipeline-stats';

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** A LIFO list of undo steps, plus what the guardian must know about processes and databases. */
export class BenchCleanup {
  private readonly steps: { what: string; undo: () => Promise<unknown> | unknown }[] = [];
  private readonly guardian: ChildProcess | undefined;

  /** `dir` is the run's temporary directory: removed last, and where the guardian's lists live. */
  constructor(
    private readonly dir: string,
    postgres: PostgresTarget,
  ) {
    this.guardian = startGuardian(dir, postgres);
  }

  /** Registers `undo` to run before everything registered earlier. */
  add(what: string, undo: () => Promise<unknown> | unknown): void {
    this.steps.push({ what, undo });
  }

  /** Tells the guardian to SIGTERM `pid` if its command line still contains `marker` (so a reused pid is spared). */
  watchProcess(pid: number | undefined, marker: string): void {
    if (pid !== undefined) appendFileSync(path.join(this.dir, 'pids'), `${pid} ${marker}\n`);
  }

  /** Tells the guardian to remove `directory` (one outside the run's own, e.g. the Temporal server's config dir). */
  watchDirectory(directory: string): void {
    appendFileSync(path.join(this.dir, 'directories'), `${directory}\n`);
  }

  /** Tells the guardian to drop `database` (through `psql`, when installed). */
  watchDatabase(database: string): void {
    appendFileSync(path.join(this.dir, 'databases'), `${database}\n`);
  }

  /** Runs every step newest first (a failed step is reported, not fatal), removes the directory, stops the guardian. */
  async run(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step.undo();
      } catch (error) {
        note(`cleanup of ${step.what} failed: ${(error as Error).message}`);
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    if (this.guardian?.pid !== undefined && this.guardian.exitCode === null) this.guardian.kill();
  }
}

/**
 * Waits for this process to go, then stops the processes listed in `<dir>/pids`, drops the databases listed in
 * `<dir>/databases` once those are gone, and removes the directories in `<dir>/directories` and `dir`. A clean run removes the lists first, so it does nothing.
 */
function startGuardian(dir: string, postgres: PostgresTarget): ChildProcess | undefined {
  if (process.platform === 'win32') return undefined;
  const pids = quote(path.join(dir, 'pids'));
  const databases = quote(path.join(dir, 'databases'));
  const directories = quote(path.join(dir, 'directories'));
  const psql = `psql -h ${quote(postgres.host)} -p ${postgres.port} -U ${quote(postgres.user)} -d postgres -qc`;
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done`,
    `if [ -f ${pids} ]; then while read pid marker; do grep -q -- "$marker" /proc/$pid/cmdline 2>/dev/null && kill $pid; done < ${pids}; sleep 5; fi`,
    `if [ -f ${databases} ]; then while read db; do ${psql} "DROP DATABASE IF EXISTS \\"$db\\" WITH (FORCE)" >/dev/null 2>&1; done < ${databases}; fi`,
    `if [ -f ${directories} ]; then while read directory; do rm -rf -- "$directory"; done < ${directories}; fi`,
    `rm -rf ${quote(dir)}`,
  ].join('\n');
  const env = postgres.password ? { ...process.env, PGPASSWORD: postgres.password } : process.env;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore', env });
  child.on('error', () => undefined);
  child.unref();
  return child;
}
