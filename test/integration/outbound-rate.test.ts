/**
 * The global Telegram limit: every send runs on the outbound task queue, whose rate limit holds across all
 * workers. With RELAY_TELEGRAM_RATE=2, eight replies to eight chats cannot all go out at once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { awaitOutcome } from '../../client/ingress';
import { startTelegramDouble, type TelegramDouble } from '../../doubles/telegram-double';
import { startHarness, uniqueChatId, type Harness } from '../support/harness';

let telegram: TelegramDouble;
let relay: Harness;

beforeAll(async () => {
  telegram = await startTelegramDouble();
  relay = await startHarness({
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    RELAY_ALLOWED_USERS: '7',
    RELAY_TELEGRAM_RATE: '2',
  });
});
afterAll(async () => {
  await relay?.stop();
  await telegram?.close();
});

it('spreads replies to many chats over time at the configured global rate', async () => {
  const sentAt: number[] = [];
  const chats = Array.from({ length: 8 }, () => uniqueChatId());
  const started = Date.now();
  const ids = await Promise.all(
    chats.map((chatId) => relay.submit(relay.message('/whoami', { channel: 'telegram', chatId, userId: '7', messageId: '1' }))),
  );
  const outcomes = await Promise.all(ids.map((id) => awaitOutcome(relay.client, id).then((o) => (sentAt.push(Date.now() - started), o))));

  expect(outcomes.every((o) => o.outcome === 'answered')).toBe(true);
  expect(telegram.sent.filter((s) => chats.includes(String(s.chat_id)))).toHaveLength(8);
  // At 2 a second (plus a small burst) the last reply cannot go out before about three seconds; without the
  // limit, all eight are out in well under one second on the same machine.
  expect(Math.max(...sentAt)).toBeGreaterThanOrEqual(2500);
});
