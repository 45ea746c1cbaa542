/**
 * A relay assembled for one test file: a real worker (on the shared dev server, its own task queue), a real
 * Temporal client, the real Anthropic SDK pointed at the Claude double, and a temporary data dir.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { inject } from 'vitest';
import { connectClient } from '../../workers/connect';
import { awaitOutcome, submitMessage } from '../../client/ingress';
import { loadConfig, type RelayConfig } from '../../contracts/config';
import { parseInboundMessage, type InboundMessage, type MessageOutcome } from '../../contracts/message';
import type { EncryptionCodec } from '../../contracts/payload-codec';
import type { RelayStore } from '../../stores/state-store';
import { createLogger, installTemporalLogging } from '../../workers/logger';
import { createPayloadCodec, FAILURE_CONVERTER_PATH, relayDataConverter } from '../../workers/payload-encryption';
import { openRelayStore } from '../../workers/store';
import { createRelayWorker, WORKFLOWS_PATH, type RelayWorker } from '../../workers/worker';
import { createTestDatabase } from './postgres';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundles the workflows once per test process. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return (bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  }));
}

let nextChat = Math.floor(Math.random() * 1e9) * 1000;
/** A chat id no other test (or earlier run on the same server) uses, so sessions never collide. */
export const uniqueChatId = () => String(++nextChat);

/** A CLI text message from user 7 in chat 1, unless `options` say otherwise. */
export function testMessage(text: string, options: Partial<InboundMessage> = {}): InboundMessage {
  return parseInboundMessage({
    channel: 'cli',
    chatId: '1',
    userId: '7',
    messageId: randomUUID(),
    kind: 'text',
    text,
    receivedAt: new Date().toISOString(),
    ...options,
  });
}

export interface Harness {
  config: RelayConfig;
  client: Client;
  worker: RelayWorker;
  /** The relay's store (PostgreSQL, a database of this harness's own). */
  store: RelayStore;
  /** The payload codec the worker and the client share (a key generated into `dataDir`, unless the env sets keys). */
  codec: EncryptionCodec;
  dataDir: string;
  /** Submits a CLI (or other channel) message and waits for its outcome. */
  send(text: string, options?: Partial<InboundMessage>): Promise<MessageOutcome>;
  submit(message: InboundMessage): Promise<string>;
  message(text: string, options?: Partial<InboundMessage>): InboundMessage;
  stop(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'relay-test-'));
  // A database of its own on the machine's PostgreSQL, unless the test chose a store itself ('' = embedded).
  const database = env.RELAY_DATABASE_URL === undefined ? await createTestDatabase() : undefined;
  const config = loadConfig(
    {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
      RELAY_DATA_DIR: dataDir,
      RELAY_LOG_LEVEL: 'warn',
      RELAY_DATABASE_POOL: '4',
      ...(database ? { RELAY_DATABASE_URL: database.url } : {}),
      ...env,
    },
    '/nonexistent/.env',
  );
  installTemporalLogging(createLogger({ logLevel: 'warn' }));
  const connection = await NativeConnection.connect({ address: config.temporal.address! });
  // As in `relay up`: the worker and the client encrypt with the same keys, as production does.
  const codec = createPayloadCodec(config);
  const dataConverter = relayDataConverter(config, codec);
  const opened = await openRelayStore(config);
  const worker = await createRelayWorker(config, {
    connection,
    store: opened.store,
    worker: { workflowBundle: await workflowBundle(), dataConverter },
  });
  const running = worker.run();
  const client = await connectClient(config, undefined, dataConverter);

  const message = testMessage;
  const submit = (inbound: InboundMessage) => submitMessage(client, config.temporal.taskQueue, inbound);
  return {
    config,
    client,
    worker,
    store: opened.store,
    codec,
    dataDir,
    message,
    submit,
    send: async (text, options) => awaitOutcome(client, await submit(message(text, options)), 60_000),
    stop: async () => {
      worker.shutdown();
      await running;
      await client.connection.close();
      await connection.close();
      await opened.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The activity types scheduled in a workflow's history, in order. */
export async function activitiesInHistory(client: Client, workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) =>
    event.activityTaskScheduledEventAttributes ? [event.activityTaskScheduledEventAttributes.activityType!.name!] : [],
  );
}
