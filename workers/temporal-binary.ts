/**
 * Finds (or provisions) the official Temporal CLI, which carries the dev server and Web UI. Order: an explicit
 * path → `temporal` on PATH → the per-machine cache → the SDK's own download (needs internet) → `go install`
 * (needs Go ≥ 1.25 and a Go module proxy) → an error listing all of these.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
/** The newest CLI tag whose go.mod has no `replace` directive (which `go install pkg@version` refuses). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export interface ResolveOptions {
  /** TEMPORAL_BINARY from the config. */
  explicitPath?: string;
  /** Where built or downloaded binaries are kept, outside any clone so every checkout reuses them. */
  cacheDir?: string;
  /** The PATH to search. */
  searchPath?: string;
  /** Progress messages for the slow paths (download, build). */
  log?: (line: string) => void;
}

export function defaultCacheDir(): string {
  return path.join(os.homedir(), '.cache', 'esper-relay');
}

const isExecutable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/** Resolves the path of a `temporal` binary, provisioning one into the cache if needed. */
export async function resolveTemporalBinary(options: ResolveOptions = {}): Promise<string> {
  const { explicitPath, searchPath = '', log = () => undefined } = options;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  if (explicitPath) {
    if (isExecutable(explicitPath)) return explicitPath;
    throw new Error(`TEMPORAL_BINARY=${explicitPath} is not an executable file`);
  }
  const onPath = searchPath
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, 'temporal'))
    .find(isExecutable);
  if (onPath) return onPath;

  const built = path.join(cacheDir, `temporal-${TEMPORAL_CLI_VERSION}`, 'temporal');
  if (isExecutable(built)) return built;
  const downloaded = findDownloaded(path.join(cacheDir, 'sdk-download'));
  if (downloaded) return downloaded;

  const attempts: string[] = [];
  try {
    return await downloadWithSdk(path.join(cacheDir, 'sdk-download'), log);
  } catch (error) {
    attempts.push(`the Temporal SDK's download failed: ${firstLine(error)}`);
  }
  try {
    return await goInstall(path.dirname(built), searchPath, log);
  } catch (error) {
    attempts.push(`go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} failed: ${firstLine(error)}`);
  }
  throw new Error(
    [
      'No Temporal CLI found, and none could be provisioned:',
      ...attempts.map((attempt) => `  - ${attempt}`),
      'Fix one of these:',
      '  - set TEMPORAL_BINARY to the path of a `temporal` binary, or put `temporal` on PATH',
      `  - install Go >= 1.25 and run: GOBIN=${path.dirname(built)} go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`,
      '  - or point TEMPORAL_ADDRESS at a running Temporal server (then no binary is needed)',
    ].join('\n'),
  );
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!;
}

function findDownloaded(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => path.join(dir, entry))
    .find((file) => /temporal(-cli)?[^/]*$/.test(path.basename(file)) && !file.endsWith('.tmp') && isExecutable(file));
}

/** Lets the SDK download the dev server (works with internet access), then finds the binary it cached. */
async function downloadWithSdk(downloadDir: string, log: (line: string) => void): Promise<string> {
  mkdirSync(downloadDir, { recursive: true });
  log('Downloading the Temporal dev server through the Temporal SDK…');
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'cached-download', downloadDir } } });
  await env.teardown();
  const found = findDownloaded(downloadDir);
  if (!found) throw new Error(`the SDK started a dev server but left no binary in ${downloadDir}`);
  return found;
}

/** Builds the CLI from source through the Go module proxy (a few minutes, once per machine). */
async function goInstall(binDir: string, searchPath: string, log: (line: string) => void): Promise<string> {
  mkdirSync(binDir, { recursive: true });
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (a few minutes, once per machine)…`);
  const go = [...searchPath.split(path.delimiter).filter(Boolean), '/usr/local/go/bin']
    .map((dir) => path.join(dir, 'go'))
    .find(isExecutable);
  if (!go) throw new Error('Go is not installed (no `go` on PATH or in /usr/local/go/bin)');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
      // The child inherits the environment; GOBIN sends the binary to our cache.
      env: { ...process.env, GOBIN: binDir, GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('error', (error) => reject(new Error(`could not run go: ${error.message}`)));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`go exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`)),
    );
  });
  const binary = path.join(binDir, 'temporal');
  if (!isExecutable(binary)) throw new Error(`go install finished but ${binary} is missing`);
  return binary;
}
