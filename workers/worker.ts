/**
 * The worker's composition root: builds the clients from config, injects them into the activities, and
 * registers the workflows. Nothing else in the project constructs a client.
 */
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { Telegram } from 'telegraf';
import { createActivities, type ActivityDeps } from '../activities';
import { FileStateStore } from '../activities/stores/file-state-store';
import type { RelayConfig } from '../contracts/config';
import { loadWorkspaces } from '../contracts/workspaces';

export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index.ts');

/** Builds the activities' dependencies from config (the real Claude, Telegram and store clients). */
export function buildActivityDeps(config: RelayConfig): ActivityDeps {
  const [apiKey] = config.claude.apiKeys;
  return {
    config,
    store: new FileStateStore(path.join(config.dataDir, 'state')),
    workspaces: loadWorkspaces(config.context.workspacesFile ?? path.join(config.dataDir, 'workspaces.json')),
    // Temporal owns retries, so the SDK's own are off: one retry layer, visible in the history.
    claude: apiKey ? new Anthropic({ apiKey, baseURL: config.claude.baseURL, maxRetries: 0, timeout: 120_000 }) : undefined,
    telegram: config.telegram.token ? new Telegram(config.telegram.token, { apiRoot: config.telegram.apiRoot }) : undefined,
  };
}

export interface RelayWorkerOptions {
  connection: NativeConnection;
  /** Overrides for tests and benchmarks (a pre-built workflow bundle, injected doubles). */
  deps?: Partial<ActivityDeps>;
  worker?: Partial<WorkerOptions>;
}

/** Creates the worker that runs `messageWorkflow`, `chatSessionWorkflow` and the five pipeline activities. */
export async function createRelayWorker(config: RelayConfig, { connection, deps, worker }: RelayWorkerOptions): Promise<Worker> {
  const activityDeps = { ...buildActivityDeps(config), ...deps };
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(worker?.workflowBundle ? {} : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(activityDeps),
    ...worker,
  });
}
