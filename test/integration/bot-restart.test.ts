/**
 * The bot process killed between receiving a batch of updates and acknowledging it (the next getUpdates
 * offset), then restarted: Telegram hands the batch out again, and every message is answered exactly once.
 * The relay runs as a real child process (`relay up` against the test's Temporal server), killed with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startClaudeDouble, type ClaudeDouble } from '../doubles/claude-double';
import { startTelegramDouble, type TelegramDouble } from '../doubles/telegram-double';

const RELAY_BIN = path.join(__dirname, '..', '..', 'bin', 'relay.js');
const ALLOWED = 7;

let claude: ClaudeDouble;
let telegram: TelegramDouble;
let dataDir: string;
let env: Record<string, string>;
const processes: ChildProcess[] = [];

beforeAll(async () => {
  claude = await startClaudeDouble({ latencyMs: 200 });
  telegram = await startTelegramDouble();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'relay-bot-restart-'));
  env = {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `bot-restart-${randomUUID()}`,
    RELAY_DATA_DIR: dataDir,
    RELAY_CHANNELS: 'telegram',
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: claude.url,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    RELAY_ALLOWED_USERS: String(ALLOWED),
    RELAY_LOG_LEVEL: 'warn',
    RELAY_METRICS_LISTEN: '127.0.0.1:0',
  };
});

afterAll(async () => {
  for (const child of processes) child.kill('SIGKILL');
  await claude?.close();
  await telegram?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function startRelay(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [RELAY_BIN, 'up'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  processes.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('esper-relay ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`relay up exited (${code}) before it was ready: ${stderr}`)));
  });
}

it('answers every message exactly once when the bot dies between poll and acknowledgement', async () => {
  const chatId = 600_000 + Math.floor(Math.random() * 1e5);
  const first = await startRelay();

  const delivered = telegram.nextDelivery();
  const texts = ['one', 'two', 'three'];
  const updates = texts.map((text) => telegram.pushMessage({ chatId, userId: ALLOWED, text }));
  const batch = await delivered;
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  // Killed before the next getUpdates: nothing of the batch was acknowledged.
  expect(telegram.acknowledgedOffset).toBeLessThanOrEqual(batch[0]!);

  await startRelay();
  const deadline = Date.now() + 60_000;
  const repliesTo = () => telegram.sent.filter((sent) => Number(sent.chat_id) === chatId).map((sent) => sent.text);
  while (repliesTo().length < texts.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 2000)); // room for a duplicate to show up, if there were one

  expect(repliesTo()).toEqual(texts.map((text) => `echo: ${text}`));
  expect(telegram.acknowledgedOffset).toBeGreaterThan(updates.at(-1)!.update_id);
}, 120_000);
