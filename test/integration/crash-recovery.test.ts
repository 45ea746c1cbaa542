/**
 * A worker process killed in the middle of a message (while Claude is answering) and a new one started: the
 * message is answered exactly once. The worker runs as a real child process (`relay worker`), killed with SIGKILL.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { connectClient } from '../../workers/connect';
import { awaitOutcome, submitMessage } from '../../client/ingress';
import { loadConfig, type RelayConfig } from '../../contracts/config';
import { parseInboundMessage } from '../../contracts/message';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { startTelegramDouble, type TelegramDouble } from '../../doubles/telegram-double';
import { killRelayProcesses, startRelayProcess, stopRelayProcess } from '../support/relay-process';

let claude: ClaudeDouble;
let telegram: TelegramDouble;
let dataDir: string;
let env: Record<string, string>;
let config: RelayConfig;
let client: Client;

beforeAll(async () => {
  claude = await startClaudeDouble();
  telegram = await startTelegramDouble();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'relay-crash-'));
  env = {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `crash-${randomUUID()}`,
    RELAY_DATA_DIR: dataDir,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: claude.url,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    RELAY_ALLOWED_USERS: '7',
    RELAY_LOG_LEVEL: 'warn',
    RELAY_METRICS_LISTEN: '127.0.0.1:0',
  };
  config = loadConfig(env, '/nonexistent/.env');
  client = await connectClient(config);
});

afterAll(async () => {
  killRelayProcesses();
  await client?.connection.close();
  await claude?.close();
  await telegram?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('answers exactly once when the worker is killed while Claude is answering', async () => {
  claude.script({ hang: true });
  const { child: first } = await startRelayProcess('worker', env);
  const chatId = String(800_000 + Math.floor(Math.random() * 1e5));
  const message = parseInboundMessage({
    channel: 'telegram',
    chatId,
    userId: '7',
    messageId: '41',
    kind: 'text',
    text: 'survive this',
    receivedAt: new Date().toISOString(),
  });
  const workflowId = await submitMessage(client, config.temporal.taskQueue, message);

  await until(() => claude.requests.length === 1, 'the first Claude call');
  await stopRelayProcess(first, 'SIGKILL');
  await startRelayProcess('worker', env);

  const outcome = await awaitOutcome(client, workflowId, 90_000);
  expect(outcome).toMatchObject({ outcome: 'answered', reply: 'echo: survive this' });
  expect(claude.requests).toHaveLength(2);
  expect(telegram.sent.filter((sent) => String(sent.chat_id) === chatId).map((sent) => sent.text)).toEqual(['echo: survive this']);
}, 120_000);
