import Anthropic from '@anthropic-ai/sdk';
import { Telegraf, Telegram, TelegramError } from 'telegraf';
import { describe, it, expect } from 'vitest';
import { startClaudeDouble } from '../doubles/claude-double';
import { startTelegramDouble } from '../doubles/telegram-double';

const MODEL = 'claude-test-model';

function textOf(message: Anthropic.Message): string {
  return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

describe('claude double with the real Anthropic SDK', () => {
  it('echoes the last user message and records the request', async () => {
    const double = await startClaudeDouble();
    try {
      const client = new Anthropic({ apiKey: 'test-key', baseURL: double.url, maxRetries: 0 });
      const message = await client.messages.create({
        model: MODEL,
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hello there' }],
      });
      expect(message.type).toBe('message');
      expect(message.role).toBe('assistant');
      expect(message.model).toBe(MODEL);
      expect(message.stop_reason).toBe('end_turn');
      expect(textOf(message)).toBe('echo: hello there');

      const blocks = await client.messages.create({
        model: MODEL,
        max_tokens: 64,
        messages: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: [{ type: 'text', text: 'block text' }] },
        ],
      });
      expect(textOf(blocks)).toBe('echo: block text');

      expect(double.requests).toHaveLength(2);
      // SDK 1.x sends the api key as a bearer token (older SDKs used x-api-key).
      const { authorization, 'x-api-key': apiKey } = double.requests[0]?.headers ?? {};
      expect(authorization === 'Bearer test-key' || apiKey === 'test-key').toBe(true);
      expect(double.requests[0]?.headers['anthropic-version']).toBeTruthy();
      expect(double.requests[0]?.body.model).toBe(MODEL);
    } finally {
      await double.close();
    }
  });

  it('uses a replaced reply function', async () => {
    const double = await startClaudeDouble();
    try {
      double.setReply((request) => `reply to ${request.messages.length} message(s)`);
      const client = new Anthropic({ apiKey: 'test-key', baseURL: double.url, maxRetries: 0 });
      const message = await client.messages.create({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'x' }] });
      expect(textOf(message)).toBe('reply to 1 message(s)');
    } finally {
      await double.close();
    }
  });

  it('surfaces a scripted 529 as APIError with retry-after, then succeeds', async () => {
    const double = await startClaudeDouble();
    try {
      double.script({ status: 529, retryAfter: 7 });
      const client = new Anthropic({ apiKey: 'test-key', baseURL: double.url, maxRetries: 0 });
      const params = { model: MODEL, max_tokens: 16, messages: [{ role: 'user' as const, content: 'again' }] };

      const error = await client.messages.create(params).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(Anthropic.APIError);
      const apiError = error as InstanceType<typeof Anthropic.APIError>;
      expect(apiError.status).toBe(529);
      expect(apiError.headers?.get('retry-after')).toBe('7');
      expect(apiError.type).toBe('overloaded_error');

      const message = await client.messages.create(params);
      expect(textOf(message)).toBe('echo: again');
      expect(double.requests).toHaveLength(2);
    } finally {
      await double.close();
    }
  });

  it('closes promptly while a scripted request hangs', async () => {
    const double = await startClaudeDouble();
    double.script({ hang: true });
    const client = new Anthropic({ apiKey: 'test-key', baseURL: double.url, maxRetries: 0 });
    const pending = client.messages
      .create({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'hang' }] })
      .catch((err: unknown) => err);
    await expect.poll(() => double.requests.length).toBe(1);
    await double.close();
    expect(await pending).toBeInstanceOf(Anthropic.APIConnectionError);
  });
});

describe('telegram double with the real telegraf client', () => {
  it('records sendMessage and returns a Message', async () => {
    const double = await startTelegramDouble();
    try {
      const telegram = new Telegram(double.token, { apiRoot: double.url });
      const me = await telegram.getMe();
      expect(me.username).toBe('relay_test_bot');

      const message = await telegram.sendMessage(42, 'hi *there*', { parse_mode: 'MarkdownV2' });
      expect(message.message_id).toBe(1000);
      expect(message.chat.id).toBe(42);
      expect(double.sent).toEqual([
        { method: 'sendMessage', chat_id: 42, text: 'hi *there*', parse_mode: 'MarkdownV2', reply_parameters: undefined, message_id: 1000 },
      ]);

      await telegram.editMessageText(42, 1000, undefined, 'edited');
      expect(double.sent[1]).toMatchObject({ method: 'editMessageText', message_id: 1000, text: 'edited' });
    } finally {
      await double.close();
    }
  });

  it('makes telegraf throw a TelegramError for failNext', async () => {
    const double = await startTelegramDouble();
    try {
      const telegram = new Telegram(double.token, { apiRoot: double.url });
      double.failNext('sendMessage', { errorCode: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 });

      const error = await telegram.sendMessage(1, 'first').catch((err: unknown) => err);
      expect(error).toBeInstanceOf(TelegramError);
      const tgError = error as TelegramError;
      expect(tgError.code).toBe(429);
      expect(tgError.parameters?.retry_after).toBe(1);
      expect(double.sent).toHaveLength(0);

      await telegram.sendMessage(1, 'second');
      expect(double.sent.map((s) => s.text)).toEqual(['second']);
    } finally {
      await double.close();
    }
  });

  it('rejects a wrong token with 401', async () => {
    const double = await startTelegramDouble();
    try {
      const telegram = new Telegram('999:wrong', { apiRoot: double.url });
      const error = await telegram.getMe().catch((err: unknown) => err);
      expect(error).toBeInstanceOf(TelegramError);
      expect((error as TelegramError).code).toBe(401);
    } finally {
      await double.close();
    }
  });

  it('delivers a pushed message to a polling Telegraf bot', async () => {
    const double = await startTelegramDouble();
    const bot = new Telegraf(double.token, { telegram: { apiRoot: double.url } });
    const received: string[] = [];
    bot.on('message', async (ctx) => {
      received.push('text' in ctx.message ? ctx.message.text : '');
      await ctx.reply(`got ${received.length}`);
    });
    const launched = bot.launch().catch((err: unknown) => err);
    try {
      const update = double.pushMessage({ chatId: 5, userId: 5, text: '/start hello' });
      const sent = await double.waitForSent(1, 5000);
      expect(received).toEqual(['/start hello']);
      expect(sent[0]).toMatchObject({ chat_id: 5, text: 'got 1' });
      await expect.poll(() => double.acknowledgedOffset).toBeGreaterThan(update.update_id);
    } finally {
      bot.stop('test done');
      await launched;
      await double.close();
    }
  });

  it('rejects waitForSent with a clear message on timeout', async () => {
    const double = await startTelegramDouble();
    try {
      await expect(double.waitForSent(1, 50)).rejects.toThrow(/expected >= 1 sent messages within 50ms, got 0/);
    } finally {
      await double.close();
    }
  });
});
