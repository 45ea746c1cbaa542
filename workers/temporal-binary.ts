/**
 * The Temporal binaries the relay runs, all resolved by `resolveGoTool` (explicit path → PATH → the per-machine
 * cache → `go install` → an error listing the options): the official CLI, which carries the dev server and Web UI
 * (also fetched by the Temporal SDK's download where there is internet), and the production-shaped server with
 * its SQL schema tool.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { isExecutable, resolveGoTool, type ExtraSource, type GoTool, type ResolveOptions } from './go-binary';

export { defaultCacheDir, type ResolveOptions } from './go-binary';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
/** The newest CLI tag whose go.mod has no `replace` directive (which `go install pkg@version` refuses). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
/** The Temporal server release the production-shaped cluster runs (its go.mod has no `replace` either). */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

const onlyAddress = 'or point TEMPORAL_ADDRESS at a running Temporal server (then no binary is needed)';

export const temporalCli: GoTool = {
  title: 'the Temporal CLI',
  setting: 'TEMPORAL_BINARY',
  command: 'temporal',
  goPackage: TEMPORAL_CLI_MODULE,
  version: TEMPORAL_CLI_VERSION,
  cacheSubdir: `temporal-${TEMPORAL_CLI_VERSION}`,
  hints: [onlyAddress],
};

export const temporalServer: GoTool = {
  title: 'the Temporal server',
  setting: 'TEMPORAL_SERVER_BINARY',
  command: 'temporal-server',
  goPackage: 'go.temporal.io/server/cmd/server',
  version: TEMPORAL_SERVER_VERSION,
  cacheSubdir: `temporal-server-${TEMPORAL_SERVER_VERSION}`,
};

export const temporalSqlTool: GoTool = {
  title: "the Temporal server's SQL schema tool",
  setting: 'TEMPORAL_SQL_TOOL',
  command: 'temporal-sql-tool',
  goPackage: 'go.temporal.io/server/cmd/tools/sql',
  version: TEMPORAL_SERVER_VERSION,
  cacheSubdir: `temporal-server-${TEMPORAL_SERVER_VERSION}`,
};

/** Resolves the path of a `temporal` CLI binary, provisioning one into the cache if needed. */
export function resolveTemporalBinary(options: ResolveOptions = {}): Promise<string> {
  return resolveGoTool(temporalCli, options, sdkDownload);
}

/** The server and its schema tool, as `startTemporalCluster` needs them. */
export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
}

export interface ServerResolveOptions extends Omit<ResolveOptions, 'explicitPath'> {
  /** TEMPORAL_SERVER_BINARY from the config. */
  serverBinary?: string;
  /** TEMPORAL_SQL_TOOL from the config. */
  sqlTool?: string;
}

/** Resolves `temporal-server` and `temporal-sql-tool`, building them into the cache if needed (one at a time). */
export async function resolveTemporalServerBinaries(options: ServerResolveOptions = {}): Promise<TemporalServerBinaries> {
  const { serverBinary, sqlTool, ...shared } = options;
  const server = await resolveGoTool(temporalServer, { ...shared, explicitPath: serverBinary });
  return { server, sqlTool: await resolveGoTool(temporalSqlTool, { ...shared, explicitPath: sqlTool }) };
}

/** The Temporal SDK's own dev-server download (needs internet), kept under the cache's `sdk-download/`. */
const sdkDownload: ExtraSource = {
  name: "the Temporal SDK's download",
  findCached: (cacheDir) => findDownloaded(path.join(cacheDir, 'sdk-download')),
  async provision(cacheDir, log) {
    const downloadDir = path.join(cacheDir, 'sdk-download');
    mkdirSync(downloadDir, { recursive: true });
    log('Downloading the Temporal dev server through the Temporal SDK…');
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'cached-download', downloadDir } } });
    await env.teardown();
    const found = findDownloaded(downloadDir);
    if (!found) throw new Error(`the SDK started a dev server but left no binary in ${downloadDir}`);
    return found;
  },
};

function findDownloaded(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => path.join(dir, entry))
    .find((file) => /temporal(-cli)?[^/]*$/.test(path.basename(file)) && !file.endsWith('.tmp') && isExecutable(file));
}
