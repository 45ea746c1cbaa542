/**
 * The bot process killed between receiving a batch of updates and acknowledging it (the next getUpdates
 * offset), then restarted: Telegram hands the batch out again, and every message is answered exactly once.
 * The relay runs as a real child process (`relay up` against the test's Temporal server), killed with SIGKILL.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { startTelegramDouble, type TelegramDouble } from '../../doubles/telegram-double';
import { killRelayProcesses, startRelayProcess, stopRelayProcess } from '../support/relay-process';

const ALLOWED = 7;

let claude: ClaudeDouble;
let telegram: TelegramDouble;
let dataDir: string;
let env: Record<string, string>;

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
  killRelayProcesses();
  await claude?.close();
  await telegram?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('answers every message exactly once when the bot dies between poll and acknowledgement', async () => {
  const chatId = 600_000 + Math.floor(Math.random() * 1e5);
  const { child: first } = await startRelayProcess('up', env);

  const delivered = telegram.nextDelivery();
  const texts = ['one', 'two', 'three'];
  const updates = texts.map((text) => telegram.pushMessage({ chatId, userId: ALLOWED, text }));
  const batch = await delivered;
  await stopRelayProcess(first, 'SIGKILL');
  // Killed before the next getUpdates: nothing of the batch was acknowledged.
  expect(telegram.acknowledgedOffset).toBeLessThanOrEqual(batch[0]!);

  await startRelayProcess('up', env);
  const deadline = Date.now() + 60_000;
  const repliesTo = () => telegram.sent.filter((sent) => Number(sent.chat_id) === chatId).map((sent) => sent.text);
  while (repliesTo().length < texts.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 2000)); // room for a duplicate to show up, if there were one

  expect(repliesTo()).toEqual(texts.map((text) => `echo: ${text}`));
  expect(telegram.acknowledgedOffset).toBeGreaterThan(updates.at(-1)!.update_id);
}, 120_000);
