/**
 * The `relay` command as a real child process, for tests of what a user types and of crashes (SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const RELAY_BIN = path.join(__dirname, '..', '..', 'bin', 'relay.js');

/** Processes started by `startRelayProcess`; kill them all in afterAll with `killRelayProcesses()`. */
const started: ChildProcess[] = [];

/** What each long-running command prints once it is ready. */
const readyLines = { up: 'esper-relay ready', worker: 'esper-relay ready', 'esper-sim': 'esper simulator ready' } as const;

/** A started `relay` process: the child, its ready line, and everything it wrote to stderr (its logs) so far. */
export interface RelayProcess {
  child: ChildProcess;
  ready: string;
  logs(): string;
}

/** Starts `relay <command>` and resolves with the process and its ready line. */
export function startRelayProcess(command: keyof typeof readyLines, env: Record<string, string>): Promise<RelayProcess> {
  const child = spawn(process.execPath, [RELAY_BIN, command], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const line = chunk.toString();
      if (line.includes(readyLines[command])) resolve({ child, ready: line, logs: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`relay ${command} exited (${code}) before it was ready: ${stderr}`)));
  });
}

/** Sends `signal` and resolves with the exit code once the process is gone. */
export function stopRelayProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

export function killRelayProcesses(): void {
  for (const child of started.splice(0)) child.kill('SIGKILL');
}
