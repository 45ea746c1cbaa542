/**
 * The worker's composition root: builds the clients from config, injects them into the activities, and
 * registers the workflows. Nothing else in the project constructs a client.
 */
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { Telegram } from 'telegraf';
import { createActivities, type ActivityDeps } from '../activities';
import { ClaudeGateway } from '../activities/claude-gateway';
import { FileStateStore } from '../activities/stores/file-state-store';
import type { RelayConfig } from '../contracts/config';
import { loadWorkspaces } from '../contracts/workspaces';

export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index.ts');

/** Builds the activities' dependencies from config (the real Claude, Telegram and store clients). */
export function buildActivityDeps(config: RelayConfig, log?: Logger): ActivityDeps {
  return {
    config,
    store: new FileStateStore(path.join(config.dataDir, 'state')),
    workspaces: loadWorkspaces(config.context.workspacesFile ?? path.join(config.dataDir, 'workspaces.json')),
    claude: createClaudeGateway(config, log),
    telegram: config.telegram.token ? new Telegram(config.telegram.token, { apiRoot: config.telegram.apiRoot }) : undefined,
  };
}

/** One Claude client per configured API key behind one gateway (rotation and circuit breaker), or none. */
export function createClaudeGateway(config: RelayConfig, log?: Logger): ClaudeGateway | undefined {
  if (config.claude.apiKeys.length === 0) return undefined;
  const keys = config.claude.apiKeys.map((apiKey, index) => ({
    label: `key ${index + 1}`,
    // Temporal owns retries, so the SDK's own are off: one retry layer, visible in the history.
    client: new Anthropic({ apiKey, baseURL: config.claude.baseURL, maxRetries: 0, timeout: 120_000 }),
  }));
  return new ClaudeGateway(keys, {
    onBreakerChange: (state, reason) => log?.warn({ breaker: 'claude', state, reason }, `Claude circuit breaker ${state}`),
  });
}

export interface RelayWorkerOptions {
  connection: NativeConnection;
  /** Overrides for tests and benchmarks (a pre-built workflow bundle, injected doubles). */
  deps?: Partial<ActivityDeps>;
  log?: Logger;
  worker?: Partial<WorkerOptions>;
}

/** Creates the worker that runs `messageWorkflow`, `chatSessionWorkflow` and the five pipeline activities. */
export async function createRelayWorker(config: RelayConfig, { connection, deps, worker, log }: RelayWorkerOptions): Promise<Worker> {
  const activityDeps = { ...buildActivityDeps(config, log), ...deps };
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(worker?.workflowBundle ? {} : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(activityDeps),
    ...worker,
  });
}
