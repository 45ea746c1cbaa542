/**
 * A worker process killed in the middle of a message (while Claude is answering) and a new one started: the
 * message is answered exactly once. The worker runs as a real child process (`relay worker`), killed with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { connectClient } from '../../client/connect';
import { awaitOutcome, submitMessage } from '../../client/ingress';
import { loadConfig, type RelayConfig } from '../../contracts/config';
import { parseInboundMessage } from '../../contracts/message';
import { startClaudeDouble, type ClaudeDouble } from '../doubles/claude-double';
import { startTelegramDouble, type TelegramDouble } from '../doubles/telegram-double';

const RELAY_BIN = path.join(__dirname, '..', '..', 'bin', 'relay.js');

let claude: ClaudeDouble;
let telegram: TelegramDouble;
let dataDir: string;
let env: Record<string, string>;
let config: RelayConfig;
let client: Client;
const workers: ChildProcess[] = [];

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
  for (const worker of workers) worker.kill('SIGKILL');
  await client?.connection.close();
  await claude?.close();
  await telegram?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `relay worker` and resolves once it printed its ready line. */
function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [RELAY_BIN, 'worker'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  workers.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('esper-relay ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${stderr}`)));
  });
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('answers exactly once when the worker is killed while Claude is answering', async () => {
  claude.script({ hang: true });
  const first = await startWorkerProcess();
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
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  await startWorkerProcess();

  const outcome = await awaitOutcome(client, workflowId, 90_000);
  expect(outcome).toMatchObject({ outcome: 'answered', reply: 'echo: survive this' });
  expect(claude.requests).toHaveLength(2);
  expect(telegram.sent.filter((sent) => String(sent.chat_id) === chatId).map((sent) => sent.text)).toEqual(['echo: survive this']);
}, 120_000);
