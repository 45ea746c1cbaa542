import { ApplicationFailure } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { Telegram } from 'telegraf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities';
import { builtinWorkspaces } from '../../contracts/workspaces';
import { startTelegramDouble, type TelegramDouble } from '../../doubles/telegram-double';
import { failureOf, inbound, makeActivities, makeConfig, makeStore, Resources, runActivity } from './support';

const TELEGRAM_LIMIT = 4096;

/** 20 paragraphs separated by blank lines, exactly 10,000 characters. */
function longReply(): string {
  const paragraphs = Array.from(
    { length: 20 },
    (_, i) => `Paragraph ${String(i + 1).padStart(2, '0')}:`.padEnd(i === 19 ? 499 : 497, ' lorem ipsum dolor') + '.',
  );
  const text = paragraphs.join('\n\n');
  expect(text).toHaveLength(10_000);
  return text;
}

const telegramMessage = (messageId = '555', chatId = '1001') =>
  inbound({ channel: 'telegram', chatId, userId: '42', messageId, text: 'tell me a long story' });

describe('deliverResponse', () => {
  const resources = new Resources();
  let double: TelegramDouble;
  let deps: ActivityDeps;

  beforeEach(async () => {
    double = resources.track(await startTelegramDouble());
    deps = {
      config: makeConfig(),
      store: await makeStore(resources),
      workspaces: { default: 'general', workspaces: { general: { systemPrompt: 'x', chats: [] } } },
      telegram: new Telegram(double.token, { apiRoot: double.url }),
    };
  });

  afterEach(() => resources.cleanup());

  it('delivers a 10,000-character reply as 3 Telegram messages of at most 4096 characters, in order, the first replying to the user', async () => {
    const text = longReply();
    const { deliverResponse } = makeActivities(deps);

    const receipt = await runActivity(deliverResponse, { message: telegramMessage('555'), text });

    expect(double.sent).toHaveLength(3);
    for (const part of double.sent) {
      expect(part.method).toBe('sendMessage');
      expect(String(part.chat_id)).toBe('1001');
      expect(part.text.length).toBeLessThanOrEqual(TELEGRAM_LIMIT);
    }
    // In order, nothing lost or duplicated: the parts rejoin into the reply, each paragraph appearing once.
    expect(double.sent.map((part) => part.text).join('\n\n')).toBe(text);
    expect(double.sent[0]!.text.startsWith('Paragraph 01:')).toBe(true);
    expect(double.sent[2]!.text.endsWith(text.slice(-20))).toBe(true);
    // Only the first part quotes the user's message.
    expect(double.sent[0]!.reply_parameters).toMatchObject({ message_id: 555 });
    expect(double.sent[1]!.reply_parameters).toBeUndefined();
    expect(double.sent[2]!.reply_parameters).toBeUndefined();
    expect(receipt).toEqual({ channel: 'telegram', parts: 3, messageIds: double.sent.map((part) => String(part.message_id)) });
  });

  it('when Telegram throttles the second part, fails retryably after retry_after, and the retry sends only the remaining parts', async () => {
    const text = longReply();
    const message = telegramMessage('556');
    const { deliverResponse } = makeActivities(deps);
    // The first sendMessage succeeds; the failure is armed as soon as it is recorded, before its answer goes out.
    const armed = double
      .waitForSent(1)
      .then(() => double.failNext('sendMessage', { errorCode: 429, description: 'Too Many Requests: retry after 3', retryAfter: 3 }));

    const failure = await failureOf(runActivity(deliverResponse, { message, text }));
    await armed;

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('RemoteThrottled');
    expect(failure.nonRetryable).toBe(false);
    // The SDK keeps the value as given (here milliseconds); it must mean 3 seconds either way.
    expect(failure.nextRetryDelay).toBeDefined();
    expect(msToNumber(failure.nextRetryDelay!)).toBe(3_000);
    expect(double.sent).toHaveLength(1);

    // Temporal retries the activity: only parts 2 and 3 go out.
    const receipt = await runActivity(deliverResponse, { message, text });

    expect(double.sent).toHaveLength(3);
    expect(double.sent.map((part) => part.text).join('\n\n')).toBe(text);
    expect(new Set(double.sent.map((part) => part.text)).size).toBe(3);
    expect(double.sent.filter((part) => part.reply_parameters !== undefined)).toHaveLength(1);
    expect(double.calls.filter((call) => call.method === 'sendMessage')).toHaveLength(4); // 3 sent + 1 throttled
    expect(receipt).toEqual({ channel: 'telegram', parts: 3, messageIds: double.sent.map((part) => String(part.message_id)) });
  });

  it('a delivery that already completed sends nothing when run again', async () => {
    const text = longReply();
    const message = telegramMessage('557');
    const { deliverResponse } = makeActivities(deps);

    const first = await runActivity(deliverResponse, { message, text });
    const second = await runActivity(deliverResponse, { message, text });

    expect(double.sent).toHaveLength(3);
    expect(second).toEqual(first);
  });

  it("sends Claude's markdown as Telegram HTML, and falls back to plain text when Telegram rejects the entities", async () => {
    const { deliverResponse } = makeActivities(deps);
    await runActivity(deliverResponse, { message: telegramMessage('557'), text: 'a **bold** claim about `x < y`' });
    expect(double.sent.at(-1)).toMatchObject({ parse_mode: 'HTML', text: 'a <b>bold</b> claim about <code>x &lt; y</code>' });

    double.failNext('sendMessage', {
      errorCode: 400,
      description: "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 12",
    });
    const receipt = await runActivity(deliverResponse, { message: telegramMessage('558'), text: 'a **bold** claim' });

    expect(receipt.parts).toBe(1);
    expect(double.sent.at(-1)!.text).toBe('a bold claim');
    expect(double.sent.at(-1)!.parse_mode).toBeUndefined();
  });

  it('a Telegram rejection of the message itself (400 chat not found) is a non-retryable RemoteRejected failure', async () => {
    double.failNext('sendMessage', { errorCode: 400, description: 'Bad Request: chat not found' });
    const { deliverResponse } = makeActivities(deps);

    const failure = await failureOf(runActivity(deliverResponse, { message: telegramMessage('559'), text: 'hello' }));

    expect(failure).toMatchObject({ type: 'RemoteRejected', nonRetryable: true });
    expect(failure.message).toContain('chat not found');
  });

  it('a Telegram server error (502) is a retryable RemoteFailed failure', async () => {
    double.failNext('sendMessage', { errorCode: 502, description: 'Bad Gateway' });
    const { deliverResponse } = makeActivities(deps);

    const failure = await failureOf(runActivity(deliverResponse, { message: telegramMessage('560'), text: 'hi' }));

    expect(failure.type).toBe('RemoteFailed');
    expect(failure.nonRetryable).toBe(false);
  });

  it('an unreachable Telegram is a retryable NetworkFailed failure, and a later retry delivers', async () => {
    const gone = await startTelegramDouble();
    await gone.close();
    const store = deps.store;
    const unreachable = makeActivities({ ...deps, telegram: new Telegram(gone.token, { apiRoot: gone.url }) });
    const message = telegramMessage('559');

    const failure = await failureOf(runActivity(unreachable.deliverResponse, { message, text: 'hello there' }));

    expect(failure.type).toBe('NetworkFailed');
    expect(failure.nonRetryable).toBe(false);

    // Once Telegram is reachable again, the retry delivers the reply (nothing was marked as sent).
    const reachable = makeActivities({ ...deps, store });
    const receipt = await runActivity(reachable.deliverResponse, { message, text: 'hello there' });
    expect(double.sent.map((part) => part.text)).toEqual(['hello there']);
    expect(receipt.parts).toBe(1);
  });

  it('on the CLI channel, makes no Telegram call and returns a receipt with the parts count', async () => {
    const { deliverResponse } = makeActivities(deps);

    const receipt = await runActivity(deliverResponse, { message: inbound({ channel: 'cli' }), text: longReply() });

    expect(receipt).toEqual({ channel: 'cli', parts: 3, messageIds: [] });
    expect(double.calls).toHaveLength(0);
  });
});

describe('deliverResponse pacing', () => {
  const resources = new Resources();
  afterEach(() => resources.cleanup());

  it('spaces the parts of a long reply about a second apart in a private chat, three in a group', async () => {
    const double = resources.track(await startTelegramDouble());
    const telegram = new Telegram(double.token, { apiRoot: double.url });
    const { deliverResponse } = makeActivities({
      config: makeConfig({ TELEGRAM_BOT_TOKEN: double.token, TELEGRAM_API_ROOT: double.url }),
      store: await makeStore(resources),
      workspaces: builtinWorkspaces,
      telegram,
    });
    const longReply = Array.from({ length: 3 }, (_, i) => `${i}`.repeat(4000)).join('\n\n');
    const sentAt: number[] = [];
    const original = telegram.sendMessage.bind(telegram);
    telegram.sendMessage = (async (...args: Parameters<typeof original>) => {
      sentAt.push(Date.now());
      return original(...args);
    }) as typeof telegram.sendMessage;

    await runActivity(deliverResponse, { message: telegramMessage('700', '4242'), text: longReply });
    await runActivity(deliverResponse, { message: telegramMessage('701', '-4242'), text: 'a' });
    await runActivity(deliverResponse, { message: telegramMessage('702', '-4242'), text: 'b' });

    const gaps = sentAt.slice(1).map((at, i) => at - sentAt[i]!);
    // Lower bounds only: a busy machine can make gaps longer, never shorter.
    expect(gaps[0]).toBeGreaterThanOrEqual(950);
    expect(gaps[1]).toBeGreaterThanOrEqual(950);
    expect(gaps[3]).toBeGreaterThanOrEqual(2950);
  });
});
