/**
 * Several relay processes on the production-shaped Temporal (the real server on PostgreSQL) sharing one
 * PostgreSQL store: `relay up` plus two `relay worker`s. What must hold across the relay holds across processes:
 * every message answered exactly once and in per-chat order while a worker is SIGKILLed mid-load, a per-user rate
 * limit admitting exactly N however the messages spread over the workers, and one Telegram poller per bot token.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../../workers/connect';
import { submitMessage } from '../../client/ingress';
import { loadConfig } from '../../contracts/config';
import { parseInboundMessage } from '../../contracts/message';
import type { TemporalCluster } from '../../workers/temporal-cluster';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { startTelegramDouble, type SentMessage, type TelegramDouble } from '../../doubles/telegram-double';
import { createTestDatabase } from '../support/postgres';
import { startTestCluster } from '../support/temporal-cluster';
import { killRelayProcesses, startRelayProcess, stopRelayProcess, type RelayProcess } from '../support/relay-process';

const CHATS = 30;
const PER_CHAT = 10;
const RATE_LIMIT = 12;

let cluster: TemporalCluster;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let claude: ClaudeDouble;
let telegram: TelegramDouble;
/** What every relay process of this file shares: the server, the store, the keys, the doubles. */
let shared: Record<string, string>;

beforeAll(async () => {
  [cluster, database, claude, telegram] = await Promise.all([
    startTestCluster(),
    createTestDatabase(),
    startClaudeDouble({ latencyMs: 150 }),
    startTelegramDouble(),
  ]);
  shared = {
    TEMPORAL_ADDRESS: cluster.address,
    RELAY_DATABASE_URL: database.url,
    RELAY_DATABASE_POOL: '4',
    RELAY_ENCRYPTION_KEYS: `scale:${randomBytes(32).toString('base64')}`,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: claude.url,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    RELAY_RATE_LIMIT: `${RATE_LIMIT}/min`,
    RELAY_METRICS_LISTEN: 'off',
    ESPER_SIMULATOR: 'off',
  };
}, 300_000);

afterAll(async () => {
  killRelayProcesses();
  await Promise.allSettled([claude?.close(), telegram?.close()]);
  await cluster?.stop();
  await database?.drop();
}, 120_000);

/** The environment of one relay process: the shared settings, its own data dir, and `extra`. */
const processEnv = (extra: Record<string, string>) => ({
  ...shared,
  RELAY_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'relay-scale-')),
  ...extra,
});

/** Replies the Telegram double received for `chatId`, in order. */
const repliesTo = (chatId: string): SentMessage[] => telegram.sent.filter((sent) => String(sent.chat_id) === chatId);

/** Polls `done` every 250 ms for at most `timeoutMs` (generous: the machine is small and shared). */
async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The worker identities (`pid@host`) that ran activities of these workflows. */
async function workerIdentities(client: Client, workflowIds: string[]): Promise<Set<string>> {
  const identities = new Set<string>();
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    for (const event of history.events ?? []) {
      const identity = event.activityTaskStartedEventAttributes?.identity;
      if (identity) identities.add(identity);
    }
  }
  return identities;
}

describe('relay up and two relay workers on one PostgreSQL store', () => {
  const taskQueue = `scale-${randomUUID()}`;
  const users = Array.from({ length: CHATS }, (_, i) => String(810_000 + i));
  const limitedUser = '820000';
  let client: Client;
  let workers: RelayProcess[];
  let env: Record<string, string>;

  beforeAll(async () => {
    env = {
      TEMPORAL_TASK_QUEUE: taskQueue,
      RELAY_CHANNELS: 'cli',
      RELAY_ALLOWED_USERS: [...users, limitedUser].join(','),
      RELAY_LOG_LEVEL: 'warn',
    };
    workers = await Promise.all([
      startRelayProcess('up', processEnv(env)),
      startRelayProcess('worker', processEnv(env)),
      startRelayProcess('worker', processEnv(env)),
    ]);
    client = await connectClient(loadConfig({ ...shared, ...env }, '/nonexistent/.env'));
  }, 240_000);
  afterAll(async () => {
    await client?.connection.close();
    await Promise.all((workers ?? []).map((worker) => stopRelayProcess(worker.child, 'SIGINT')));
  }, 120_000);

  const telegramMessage = (chatId: string, userId: string, messageId: number, text: string) =>
    parseInboundMessage({
      channel: 'telegram',
      chatId,
      userId,
      messageId: String(messageId),
      kind: 'text',
      text,
      receivedAt: new Date().toISOString(),
    });

  it('admits exactly N messages of one user per window, however they spread over the workers', async () => {
    // One user writes in 20 chats at once: 20 chat sessions, their gates running on whichever worker is free.
    const chats = Array.from({ length: 20 }, (_, i) => String(830_000 + i));
    const workflowIds = await Promise.all(
      chats.map((chatId, i) => submitMessage(client, taskQueue, telegramMessage(chatId, limitedUser, 1, `limited ${i}`))),
    );
    await until('an answer in each of the 20 chats', () => chats.every((chatId) => repliesTo(chatId).length >= 1), 180_000);

    const answers = chats.flatMap((chatId) => repliesTo(chatId));
    expect(answers).toHaveLength(20);
    expect(answers.filter((sent) => sent.text.startsWith('echo: limited'))).toHaveLength(RATE_LIMIT);
    expect(answers.filter((sent) => /too fast/.test(sent.text))).toHaveLength(20 - RATE_LIMIT);
    expect((await workerIdentities(client, workflowIds)).size).toBeGreaterThanOrEqual(2);
  }, 240_000);

  it(`answers ${CHATS * PER_CHAT} messages over ${CHATS} chats exactly once and in order while a worker is SIGKILLed and restarted`, async () => {
    const workflowIds: string[] = [];
    const submitting = (async () => {
      // Each chat's messages go in in order (as the Telegram channel submits them), the chats interleaved.
      for (let i = 0; i < PER_CHAT; i++) {
        const ids = await Promise.all(
          users.map((userId) => submitMessage(client, taskQueue, telegramMessage(userId, userId, i + 1, `chat ${userId} message ${i}`))),
        );
        workflowIds.push(...ids);
      }
    })();
    const answered = () => users.reduce((count, chatId) => count + repliesTo(chatId).length, 0);

    await until('a third of the answers', () => answered() >= (CHATS * PER_CHAT) / 3, 240_000);
    const victim = workers[1]!;
    await stopRelayProcess(victim.child, 'SIGKILL');
    workers[1] = await startRelayProcess('worker', processEnv(env));
    await submitting;

    await until('every answer', () => answered() >= CHATS * PER_CHAT, 480_000);
    // Anything doubled would arrive a little later (a retried send): give it time to show.
    await new Promise((resolve) => setTimeout(resolve, 5_000));

    const lost: string[] = [];
    const doubled: string[] = [];
    const reordered: string[] = [];
    for (const chatId of users) {
      const got = repliesTo(chatId).map((sent) => Number(/message (\d+)$/.exec(sent.text)?.[1] ?? -1));
      for (let i = 0; i < PER_CHAT; i++) {
        const copies = got.filter((n) => n === i).length;
        if (copies === 0) lost.push(`${chatId}#${i}`);
        if (copies > 1) doubled.push(`${chatId}#${i}`);
      }
      if (got.some((n, at) => at > 0 && n < got[at - 1]!)) reordered.push(`${chatId}: ${got.join(',')}`);
    }
    expect({ lost, doubled, reordered }).toEqual({ lost: [], doubled: [], reordered: [] });
    expect(answered()).toBe(CHATS * PER_CHAT);
    // The killed worker had taken part, and so had the others.
    expect((await workerIdentities(client, workflowIds.slice(0, 60))).size).toBeGreaterThanOrEqual(2);
  }, 900_000);
});

describe('two relay up processes with one bot token', () => {
  it('polls from one at a time; the other takes over when the first is killed', async () => {
    const env = {
      TEMPORAL_TASK_QUEUE: `poller-${randomUUID()}`,
      RELAY_CHANNELS: 'telegram',
      RELAY_ALLOWED_USERS: '840001',
      TELEGRAM_POLL_LEASE: '3',
      RELAY_LOG_LEVEL: 'info',
    };
    const polling = (relay: RelayProcess) => relay.logs().includes('this process polls Telegram');
    const [first, second] = await Promise.all([startRelayProcess('up', processEnv(env)), startRelayProcess('up', processEnv(env))]);
    await until('one of them polling', () => polling(first) || polling(second), 60_000);
    // Several lease periods: the standby must stay a standby.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    const [poller, standby] = polling(first) ? [first, second] : [second, first];
    expect(polling(standby)).toBe(false);
    expect(standby.logs()).toContain('standing by to take over');
    const conflictsBefore = telegram.pollConflicts;

    telegram.pushMessage({ chatId: 840001, text: 'before the crash' });
    await until('the first answer', () => repliesTo('840001').length >= 1, 120_000);

    await stopRelayProcess(poller.child, 'SIGKILL');
    telegram.pushMessage({ chatId: 840001, text: 'after the crash' });
    await until('the standby polling', () => polling(standby), 60_000);
    await until('the second answer', () => repliesTo('840001').length >= 2, 120_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    expect(repliesTo('840001').map((sent) => sent.text)).toEqual(['echo: before the crash', 'echo: after the crash']);
    // Two pollers on one token would have overlapped (Telegram's 409): never, neither before nor after.
    expect(conflictsBefore).toBe(0);
    expect(telegram.pollConflicts).toBe(0);
    expect(await stopRelayProcess(standby.child, 'SIGINT')).toBe(0);
  }, 300_000);
});
