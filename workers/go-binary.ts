/**
 * One way to find (or provision) the Go-built tools the relay runs — the Temporal CLI, the Temporal server and
 * its SQL schema tool. Order: an explicit path → the command on PATH → the per-machine cache → tool-specific
 * extra sources (e.g. the SDK's download) → `go install` into the cache → an error listing all of these.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, renameSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A binary built from a Go main package at a pinned version. */
export interface GoTool {
  /** How messages name it, e.g. "the Temporal CLI". */
  title: string;
  /** The config variable holding an explicit path, e.g. `TEMPORAL_BINARY`. */
  setting: string;
  /** The name looked up on PATH and kept in the cache, e.g. `temporal-server`. */
  command: string;
  /** Import path of the main package, e.g. `go.temporal.io/server/cmd/server`. */
  goPackage: string;
  version: string;
  /** Directory under the cache that holds this build, e.g. `temporal-server-v1.29.1`. */
  cacheSubdir: string;
  /** Last lines of the "fix one of these" list, specific to this tool. */
  hints?: string[];
}

/** A tool-specific source tried after the cache and before `go install` (e.g. the Temporal SDK's download). */
export interface ExtraSource {
  /** A binary this source left in the cache earlier, if any. */
  findCached(cacheDir: string): string | undefined;
  /** Names the source in the final error, e.g. "the Temporal SDK's download". */
  name: string;
  provision(cacheDir: string, log: (line: string) => void): Promise<string>;
}

export interface ResolveOptions {
  /** The explicit path from the config (e.g. TEMPORAL_BINARY). */
  explicitPath?: string;
  /** Where built or downloaded binaries are kept, outside any clone so every checkout reuses them. */
  cacheDir?: string;
  /** The PATH to search, for the tool and for Go. */
  searchPath?: string;
  /** Progress messages for the slow paths (download, build). */
  log?: (line: string) => void;
}

/** Where Go is looked for after PATH: the official tarball's install location. */
const GO_INSTALL_DIR = '/usr/local/go/bin';

/** `~/.cache/esper-relay`, the default of RELAY_CACHE_DIR. */
export function defaultCacheDir(): string {
  return path.join(os.homedir(), '.cache', 'esper-relay');
}

/** True for a regular file this process may execute. */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where `go install` leaves `tool` in the cache. */
export function cachedPath(tool: GoTool, cacheDir = defaultCacheDir()): string {
  return path.join(cacheDir, tool.cacheSubdir, tool.command);
}

/** Resolves the path of `tool`, provisioning it into the cache if needed. */
export async function resolveGoTool(tool: GoTool, options: ResolveOptions = {}, extra?: ExtraSource): Promise<string> {
  const { explicitPath, searchPath = '', log = () => undefined } = options;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  if (explicitPath) {
    if (isExecutable(explicitPath)) return explicitPath;
    throw new Error(`${tool.setting}=${explicitPath} is not an executable file`);
  }
  const onPath = findOnPath(tool.command, searchPath);
  if (onPath) return onPath;
  const built = cachedPath(tool, cacheDir);
  if (isExecutable(built)) return built;
  const found = extra?.findCached(cacheDir);
  if (found) return found;

  const attempts: string[] = [];
  if (extra) {
    try {
      return await extra.provision(cacheDir, log);
    } catch (error) {
      attempts.push(`${extra.name} failed: ${firstLine(error)}`);
    }
  }
  try {
    return await goInstall(tool, built, searchPath, log);
  } catch (error) {
    attempts.push(`go install ${tool.goPackage}@${tool.version} failed: ${firstLine(error)}`);
  }
  throw new Error(
    [
      `No ${tool.command} binary (${tool.title}) found, and none could be provisioned:`,
      ...attempts.map((attempt) => `  - ${attempt}`),
      'Fix one of these:',
      `  - set ${tool.setting} to the path of a \`${tool.command}\` binary, or put \`${tool.command}\` on PATH`,
      `  - install Go >= 1.25 and run: GOBIN=${path.dirname(built)} go install ${tool.goPackage}@${tool.version}` +
        (path.basename(tool.goPackage) === tool.command ? '' : ` && mv ${path.basename(tool.goPackage)} ${tool.command}`),
      ...(tool.hints ?? []).map((hint) => `  - ${hint}`),
    ].join('\n'),
  );
}

function findOnPath(command: string, searchPath: string): string | undefined {
  return searchPath
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, command))
    .find(isExecutable);
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!;
}

/** Builds `tool` through the Go module proxy into the cache (minutes, once per machine and version). */
async function goInstall(tool: GoTool, target: string, searchPath: string, log: (line: string) => void): Promise<string> {
  const go = findOnPath('go', [searchPath, GO_INSTALL_DIR].join(path.delimiter));
  if (!go) throw new Error(`Go is not installed (no \`go\` on PATH or in ${GO_INSTALL_DIR})`);
  const binDir = path.dirname(target);
  mkdirSync(binDir, { recursive: true });
  log(`Building ${tool.title} ${tool.version} with go install (a few minutes, once per machine)…`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(go, ['install', `${tool.goPackage}@${tool.version}`], {
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
  // `go install` names the binary after the package's last path element (`server`, `sql`).
  const installed = path.join(binDir, path.basename(tool.goPackage));
  if (installed !== target && isExecutable(installed)) renameSync(installed, target);
  if (!isExecutable(target)) throw new Error(`go install finished but ${target} is missing`);
  log(`Built ${target}`);
  return target;
}
