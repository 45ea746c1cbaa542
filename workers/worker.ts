/**
 * The worker's composition root: builds the clients from config, injects them into the activities, and
 * registers the workflows. Nothing else in the project constructs a client.
 */
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type State, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { Telegram } from 'telegraf';
import { createActivities, type ActivityDeps } from '../activities';
import { ClaudeGateway } from '../activities/claude-gateway';
import type { RelayStore } from '../stores/state-store';
import type { RelayConfig } from '../contracts/config';
import { outboundTaskQueue } from '../contracts/temporal';
import { loadWorkspaces } from '../contracts/workspaces';
import type { RelayMetrics } from './metrics';
import { relayDataConverter } from './payload-encryption';

export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index.ts');

/** Builds the activities' dependencies from config (the real Claude and Telegram clients) around the process's store. */
export function buildActivityDeps(config: RelayConfig, store: RelayStore, log?: Logger, metrics?: RelayMetrics): ActivityDeps {
  const claude = createClaudeGateway(config, log, metrics);
  if (claude) metrics?.watchBreaker(claude);
  return {
    config,
    store,
    workspaces: loadWorkspaces(config.context.workspacesFile ?? path.join(config.dataDir, 'workspaces.json')),
    claude,
    metrics,
    telegram: config.telegram.token ? new Telegram(config.telegram.token, { apiRoot: config.telegram.apiRoot }) : undefined,
  };
}

/** One Claude client per configured API key behind one gateway (rotation and circuit breaker), or none. */
export function createClaudeGateway(config: RelayConfig, log?: Logger, metrics?: RelayMetrics): ClaudeGateway | undefined {
  if (config.claude.apiKeys.length === 0) return undefined;
  const keys = config.claude.apiKeys.map((apiKey, index) => ({
    label: `key ${index + 1}`,
    // Temporal owns retries, so the SDK's own are off: one retry layer, visible in the history.
    client: new Anthropic({ apiKey, baseURL: config.claude.baseURL, maxRetries: 0, timeout: config.claude.timeoutSeconds * 1000 }),
  }));
  return new ClaudeGateway(keys, {
    onBreakerChange: (state, reason) => log?.warn({ breaker: 'claude', state, reason }, `Claude circuit breaker ${state}`),
    onCall: (outcome) => metrics?.claudeCall(outcome),
  });
}

export interface RelayWorkerOptions {
  connection: NativeConnection;
  /** The process's one store (see workers/store.ts); the worker uses it but does not close it. */
  store: RelayStore;
  /** Overrides for tests and benchmarks (a pre-built workflow bundle, injected doubles). */
  deps?: Partial<ActivityDeps>;
  log?: Logger;
  metrics?: RelayMetrics;
  /** Main-worker overrides; a `dataConverter` here replaces the encrypting one on both workers. */
  worker?: Partial<WorkerOptions>;
}

/**
 * The relay's workers in one process: the main worker (all workflows, the pipeline's activities) and the
 * outbound worker, which runs only the activities that send to Telegram on their own task queue. That queue
 * has a task-queue-wide rate limit, so all workers together never exceed Telegram's global bot limit.
 */
export class RelayWorker {
  constructor(private readonly workers: Worker[]) {}

  /** Runs until `shutdown()`; rejects if any worker fails (after shutting the others down). */
  async run(): Promise<void> {
    const runs = this.workers.map((worker) => worker.run());
    try {
      await Promise.all(runs);
    } catch (error) {
      this.shutdown();
      await Promise.allSettled(runs);
      throw error;
    }
  }

  shutdown(): void {
    for (const worker of this.workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  }

  getState(): State {
    return this.workers[0]!.getState();
  }
}

/** Creates the relay's workers: `messageWorkflow`, `chatSessionWorkflow`, the pipeline and outbound activities. */
export async function createRelayWorker(
  config: RelayConfig,
  { connection, store, deps, worker, log, metrics }: RelayWorkerOptions,
): Promise<RelayWorker> {
  // Both workers read and write the same histories, so both encrypt with the same keys.
  const dataConverter = worker?.dataConverter ?? relayDataConverter(config);
  // One client per process, on the worker's own connection and codec: the chat commands start and steer runs with it.
  const temporal = new Client({ connection, namespace: config.temporal.namespace, dataConverter });
  const activities = createActivities({ ...buildActivityDeps(config, store, log, metrics), temporal, ...deps });
  const { deliverResponse, notifyUser, notifyAdmins, ...pipeline } = activities;
  const main = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(worker?.workflowBundle ? {} : { workflowsPath: WORKFLOWS_PATH }),
    // deliverResponse is on both: CLI and Esper replies are delivered here, Telegram ones on the outbound queue.
    activities: { ...pipeline, deliverResponse },
    ...worker,
    dataConverter,
  });
  const outbound = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: outboundTaskQueue(config.temporal.taskQueue),
    dataConverter,
    activities: { deliverResponse, notifyUser, notifyAdmins },
    maxTaskQueueActivitiesPerSecond: config.telegram.globalRatePerSecond,
  });
  return new RelayWorker([main, outbound]);
}
