/**
 * `relay setup`: provisions the Temporal binaries once per machine (found, or built with `go install` into the
 * cache) and prints their paths on stdout, one a line; progress goes to stderr.
 */
import type { RelayConfig } from '../contracts/config';
import { resolveTemporalBinary, resolveTemporalServerBinaries, TEMPORAL_SERVER_VERSION } from '../workers/temporal-binary';

export interface SetupOptions {
  /** Also the production-shaped server and its SQL schema tool. */
  server: boolean;
}

export async function runSetup(config: RelayConfig, options: SetupOptions): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const shared = { cacheDir: config.temporal.cacheDir, searchPath: config.temporal.searchPath, log };
  const cli = await resolveTemporalBinary({ ...shared, explicitPath: config.temporal.binary });
  log(`Temporal CLI: ${cli}`);
  process.stdout.write(`${cli}\n`);
  if (!options.server) return;

  log(`Looking for the Temporal server ${TEMPORAL_SERVER_VERSION} and temporal-sql-tool…`);
  const binaries = await resolveTemporalServerBinaries({
    ...shared,
    serverBinary: config.temporal.serverBinary,
    sqlTool: config.temporal.sqlTool,
  });
  log(`Temporal server: ${binaries.server}`);
  log(`temporal-sql-tool: ${binaries.sqlTool}`);
  process.stdout.write(`${binaries.server}\n${binaries.sqlTool}\n`);
}
