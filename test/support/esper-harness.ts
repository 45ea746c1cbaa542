/**
 * The blueprint pipeline assembled for one test file, wired as `relay up` wires it: a real worker on the shared
 * dev server (its own task queue), the in-process bus with the seeded simulator and the pipeline ingress
 * (`startEmbeddedEsper`), and a file store in a temporary data dir. The worker can be restarted in-process; chat
 * messages go through the same worker, whose activities get its Temporal client as in production.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { vi, inject } from 'vitest';
import type { EsperDeps } from '../../activities/esper';
import { readBlueprintEntry, readKernelEntry } from '../../activities/esper/urza-catalogue';
import type { SqlStore } from '../../stores/sql-store';
import { startBlueprintPipeline } from '../../client/esper/blueprint-pipeline-client';
import { connectClient } from '../../workers/connect';
import { awaitOutcome, submitMessage } from '../../client/ingress';
import { loadConfig, type RelayConfig } from '../../contracts/config';
import type { InboundMessage, MessageOutcome } from '../../contracts/message';
import {
  blueprintPipelineStatusQuery,
  type BlueprintPipelineInput,
  type BlueprintPipelineStatus,
  type PipelinePhase,
} from '../../contracts/esper/blueprint-pipeline';
import type { EsperOrigin } from '../../contracts/esper/common';
import { sealEsperMessage } from '../../contracts/esper/envelope-signing';
import type { EsperMessageByKind, EsperMessageKind } from '../../contracts/esper/registry';
import { streamFor } from '../../contracts/esper/transport';
import type { blueprintPipelineWorkflow } from '../../workflows';
import { startEmbeddedEsper, type EmbeddedEsper, type EmbeddedEsperOptions } from '../../workers/esper';
import { createLogger, installTemporalLogging } from '../../workers/logger';
import { createPayloadCodec, relayDataConverter } from '../../workers/payload-encryption';
import { openRelayStore } from '../../workers/store';
import { createRelayWorker, type RelayWorker } from '../../workers/worker';
import { testMessage, workflowBundle } from './harness';
import { createTestDatabase } from './postgres';

/** The only admin of these tests; user 7 is not one. */
export const ADMIN = '1';

/** The pipeline's activities up to validation, in the order a run schedules them. */
export const PIPELINE_STEPS_TO_VALIDATION = [
  'reserveCompileSlot',
  'recordBlueprintStage',
  'publishCompileRequest',
  'releaseCompileSlot',
  'registerKernel',
  'requestValidation',
];

/** Test budgets: generous for answers the simulator sends in ~100 ms, short for the approval nobody gives. */
export const testTimeouts = { compile: 15_000, safety: 15_000, benchmark: 15_000, approval: 20_000 };

export type PipelineHandle = WorkflowHandle<typeof blueprintPipelineWorkflow>;

export interface EsperHarness {
  config: RelayConfig;
  client: Client;
  esper: EmbeddedEsper;
  store: SqlStore;
  /** Starts a run of `blueprintId` under a fresh request id. */
  start(blueprintId: string, overrides?: Partial<BlueprintPipelineInput>): Promise<PipelineHandle>;
  status(handle: PipelineHandle): Promise<BlueprintPipelineStatus>;
  /** Waits until the run reports `phase`. */
  waitForPhase(handle: PipelineHandle, phase: PipelinePhase): Promise<BlueprintPipelineStatus>;
  /** Publishes a signed message on the bus as `origin` would (a hand-made Esper reply). */
  publishAs<K extends EsperMessageKind>(origin: EsperOrigin, kind: K, payload: EsperMessageByKind[K], envelopeId: string): Promise<void>;
  /** Sends a chat message (CLI, user 7 unless `options` say otherwise) through the message pipeline; its outcome. */
  send(text: string, options?: Partial<InboundMessage>): Promise<MessageOutcome>;
  /** Shuts the worker down and starts a new one on the same task queue (a crash and restart, in-process). */
  restartWorker(): Promise<void>;
  blueprint: (blueprintId: string) => ReturnType<typeof readBlueprintEntry>;
  kernel: (kernelId: string) => ReturnType<typeof readKernelEntry>;
  compileSlotHolders(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startEsperHarness(
  options: Pick<EmbeddedEsperOptions, 'simulator' | 'compileSlots' | 'rollbackDeadlinesMs' | 'health' | 'trainingRuns'> & {
    env?: Record<string, string>;
    /** Overrides of the activities' Esper settings (a short rollback confirmation, say). */
    esperDeps?: Partial<EsperDeps>;
  } = {},
): Promise<EsperHarness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'relay-esper-test-'));
  const database = await createTestDatabase();
  const config = loadConfig(
    {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `test-esper-${randomUUID()}`,
      RELAY_DATA_DIR: dataDir,
      RELAY_DATABASE_URL: database.url,
      RELAY_DATABASE_POOL: '4',
      RELAY_LOG_LEVEL: 'warn',
      RELAY_ADMINS: ADMIN,
      ...options.env,
    },
    '/nonexistent/.env',
  );
  installTemporalLogging(createLogger({ logLevel: 'warn' }));
  const dataConverter = relayDataConverter(config, createPayloadCodec(config));
  const connection = await NativeConnection.connect({ address: config.temporal.address! });
  const client = await connectClient(config, undefined, dataConverter);
  const opened = await openRelayStore(config);
  const store = opened.store;
  const esper = startEmbeddedEsper({
    client,
    taskQueue: config.temporal.taskQueue,
    rollbackDeadlinesMs: options.rollbackDeadlinesMs,
    store,
    compileSlots: options.compileSlots,
    trainingRuns: options.trainingRuns,
    health: options.health,
    // Seeded, with the simulator's delays cut to tens of milliseconds.
    simulator: {
      seed: 7,
      ...options.simulator,
      tezzeret: { compileMs: 100, ...options.simulator?.tezzeret },
      urabrask: { validationMs: 50, benchmarkMs: 50, ...options.simulator?.urabrask },
    },
    bus: { retryDelayMs: 50, blockMs: 100 },
  });

  const startWorker = async () => {
    const worker = await createRelayWorker(config, {
      connection,
      store,
      deps: { esper: { ...esper.deps, ...options.esperDeps } },
      worker: { workflowBundle: await workflowBundle(), dataConverter },
    });
    return { worker, running: worker.run() };
  };
  let current: { worker: RelayWorker; running: Promise<void> } = await startWorker();
  const status = (handle: PipelineHandle) => handle.query(blueprintPipelineStatusQuery);

  return {
    config,
    client,
    esper,
    store,
    start: (blueprintId, overrides = {}) =>
      startBlueprintPipeline(client, config.temporal.taskQueue, {
        blueprintId,
        requestId: randomUUID(),
        requestedBy: '7',
        approvers: [ADMIN],
        timeoutsMs: testTimeouts,
        ...overrides,
      }),
    status,
    waitForPhase: (handle, phase) =>
      vi.waitFor(
        async () => {
          const now = await status(handle);
          if (now.phase !== phase) throw new Error(`run is ${now.phase}, waiting for ${phase}`);
          return now;
        },
        { timeout: 20_000, interval: 50 },
      ),
    publishAs: async (origin, kind, payload, envelopeId) => {
      const envelope = sealEsperMessage({ kind, payload, id: envelopeId, origin, sentAt: new Date() }, esper.deps.signingSecret);
      await esper.transport.publish(streamFor({ kind, message: payload } as Parameters<typeof streamFor>[0]), envelope);
    },
    send: async (text, options) =>
      awaitOutcome(client, await submitMessage(client, config.temporal.taskQueue, testMessage(text, options)), 60_000),
    restartWorker: async () => {
      current.worker.shutdown();
      await current.running;
      current = await startWorker();
    },
    blueprint: (blueprintId) => readBlueprintEntry(store, blueprintId),
    kernel: (kernelId) => readKernelEntry(store, kernelId),
    compileSlotHolders: async () =>
      ((await store.read<{ holders: { holder: string }[] }>('esper-slots:compile'))?.holders ?? []).map((h) => h.holder),
    stop: async () => {
      current.worker.shutdown();
      await current.running;
      await esper.stop();
      await client.connection.close();
      await connection.close();
      await opened.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
