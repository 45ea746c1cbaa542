/**
 * The production-shaped Temporal server for a test file: binaries resolved as `relay setup --server` does (built
 * once per machine if needed), fresh PostgreSQL databases, stopped and dropped by `stop()`.
 */
import { loadConfig } from '../../contracts/config';
import { resolveTemporalServerBinaries } from '../../workers/temporal-binary';
import { startTemporalCluster, type TemporalCluster } from '../../workers/temporal-cluster';

export async function startTestCluster(): Promise<TemporalCluster> {
  const config = loadConfig(process.env, '/nonexistent/.env');
  const binaries = await resolveTemporalServerBinaries({
    serverBinary: config.temporal.serverBinary,
    sqlTool: config.temporal.sqlTool,
    cacheDir: config.temporal.cacheDir,
    searchPath: config.temporal.searchPath,
    log: (line) => console.log(line),
  });
  return startTemporalCluster({ binaries });
}
