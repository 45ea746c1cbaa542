/**
 * One real Temporal dev server (in memory, headless) for the whole test run, found or built by the same
 * resolver `npm start` uses. Test files isolate themselves with their own task queue and chat ids.
 */
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../contracts/config';
import { startDevServer } from '../../workers/dev-server';
import { resolveTemporalBinary } from '../../workers/temporal-binary';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

export default async function setup(project: TestProject) {
  const config = loadConfig(process.env, '/nonexistent/.env');
  const binary = await resolveTemporalBinary({
    explicitPath: config.temporal.binary,
    cacheDir: config.temporal.cacheDir,
    searchPath: config.temporal.searchPath,
    log: (line) => console.log(line),
  });
  const server = await startDevServer({ binary, namespace: 'default', port: 0, uiPort: false });
  project.provide('temporalAddress', server.address);
  return () => server.stop();
}
