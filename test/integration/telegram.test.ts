/**
 * The Telegram channel end to end: the real telegraf client polls the Bot API double, messages go through the
 * real pipeline on the dev server, and replies come back through the double.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chatSessionWorkflowId } from '../../contracts/temporal';
import { strangerNotice } from '../../domain/access';
import { DELAYED_NOTICE, FAILED_NOTICE } from '../../workflows/agent-step';
import type { ClaudeDouble } from '../../doubles/claude-double';
import type { TelegramDouble } from '../../doubles/telegram-double';
import type { Harness } from '../support/harness';
import { startTelegramRelay, type TelegramRelay } from '../support/telegram-relay';

const ALLOWED = 7000;
let nextChat = 500_000 + Math.floor(Math.random() * 1e6);

describe('Telegram channel', () => {
  let claude: ClaudeDouble;
  let telegram: TelegramDouble;
  let setup: TelegramRelay;

  /** What the channel logged, as JSON lines. */
  const logLines: string[] = [];
  const channelLog = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

  beforeAll(async () => {
    // This file sends far more than a person would; the rate limit has its own tests.
    setup = await startTelegramRelay({ RELAY_ALLOWED_USERS: String(ALLOWED), RELAY_RATE_LIMIT: 'off' }, { log: channelLog });
    ({ claude, telegram } = setup);
  });
  afterAll(() => setup?.stop());

  const repliesTo = (chatId: number) => telegram.sent.filter((sent) => Number(sent.chat_id) === chatId);
  const waitForReplies = async (chatId: number, count: number) => {
    const deadline = Date.now() + 30_000;
    while (repliesTo(chatId).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return repliesTo(chatId);
  };

  it('registers the command menu and answers a message as a reply to it', async () => {
    const chatId = ++nextChat;
    const update = telegram.pushMessage({ chatId, userId: ALLOWED, text: 'hi from telegram' });
    const [reply] = await waitForReplies(chatId, 1);

    expect(reply!.text).toBe('echo: hi from telegram');
    expect(reply!.reply_parameters).toMatchObject({ message_id: (update.message as { message_id: number }).message_id });
    expect(telegram.calls.some((call) => call.method === 'setMyCommands')).toBe(true);
    // "typing…" was shown while Claude worked.
    expect(telegram.calls).toContainEqual({
      method: 'sendChatAction',
      params: expect.objectContaining({ chat_id: String(chatId), action: 'typing' }),
    });
  });

  it('answers a burst of messages in one chat in the order they were sent', async () => {
    const chatId = ++nextChat;
    const texts = ['first', 'second', 'third', 'fourth', 'fifth'];
    // Pushed at once, they reach telegraf in one getUpdates batch, which it handles concurrently.
    for (const text of texts) telegram.pushMessage({ chatId, userId: ALLOWED, text });
    const replies = await waitForReplies(chatId, texts.length);

    expect(replies.map((r) => r.text)).toEqual(texts.map((t) => `echo: ${t}`));
  });

  it('waits out a Telegram flood limit (429 retry_after) and then sends the reply once', async () => {
    const chatId = ++nextChat;
    telegram.failNext('sendMessage', { errorCode: 429, description: 'Too Many Requests: retry after 2', retryAfter: 2 });
    const pushedAt = Date.now();
    telegram.pushMessage({ chatId, userId: ALLOWED, text: 'flooded' });
    const [reply] = await waitForReplies(chatId, 1);

    expect(reply!.text).toBe('echo: flooded');
    expect(Date.now() - pushedAt).toBeGreaterThanOrEqual(2000);
    await new Promise((r) => setTimeout(r, 500));
    expect(repliesTo(chatId)).toHaveLength(1);
  });

  it('answers an update that Telegram delivers twice only once', async () => {
    const chatId = ++nextChat;
    const first = telegram.pushMessage({ chatId, userId: ALLOWED, text: 'redelivered' });
    // Same message, new update id: what a webhook retry or an unacknowledged poll looks like.
    telegram.pushUpdate({ message: first.message });
    await waitForReplies(chatId, 1);
    telegram.pushMessage({ chatId, userId: ALLOWED, text: 'next one' });
    const replies = await waitForReplies(chatId, 2);

    expect(replies.map((r) => r.text)).toEqual(['echo: redelivered', 'echo: next one']);
  });

  it('sends one reply after Claude was overloaded once', async () => {
    const chatId = ++nextChat;
    claude.script({ status: 529, retryAfter: 1 });
    telegram.pushMessage({ chatId, userId: ALLOWED, text: 'busy?' });
    await waitForReplies(chatId, 1);
    await new Promise((r) => setTimeout(r, 1500));

    expect(repliesTo(chatId).map((r) => r.text)).toEqual(['echo: busy?']);
  });

  it('tells a stranger they are not allowed, without asking Claude', async () => {
    const chatId = ++nextChat;
    const before = claude.requests.length;
    telegram.pushMessage({ chatId, userId: chatId, text: 'who are you?' });
    const [reply] = await waitForReplies(chatId, 1);

    expect(reply!.text).toContain(`add your user id ${chatId}`);
    expect(claude.requests.length).toBe(before);
  });

  it('skips a malformed update and keeps answering', async () => {
    const chatId = ++nextChat;
    telegram.pushUpdate({ poll: { id: 'p1', question: '?', options: [] } });
    telegram.pushUpdate({
      message: { message_id: 1, date: 0, chat: { id: chatId, type: 'private' }, from: { id: 'not-a-number' }, text: 'bad' },
    });
    telegram.pushMessage({ chatId, userId: ALLOWED, text: 'still there?' });
    const replies = await waitForReplies(chatId, 1);

    expect(replies.map((r) => r.text)).toEqual(['echo: still there?']);
  });

  it('answers an edited message with a notice, as a reply to the edited message', async () => {
    const chatId = ++nextChat;
    const original = telegram.pushMessage({ chatId, userId: ALLOWED, text: 'typo' });
    await waitForReplies(chatId, 1);
    telegram.pushUpdate({ edited_message: { ...(original.message as object), edit_date: 1_800_000_000, text: 'fixed' } });
    const replies = await waitForReplies(chatId, 2);
    expect(replies.map((r) => r.text)).toEqual(['echo: typo', expect.stringContaining('I saw your edit')]);
    expect(replies[1]!.reply_parameters).toMatchObject({ message_id: (original.message as { message_id: number }).message_id });
  });

  it('in a group, answers only messages addressed to the bot', async () => {
    const groupId = -++nextChat;
    const group = (messageId: number, text: string) => ({
      message: {
        message_id: messageId,
        date: 0,
        chat: { id: groupId, type: 'supergroup', title: 'ops' },
        from: { id: ALLOWED, is_bot: false, first_name: 'A' },
        text,
      },
    });
    telegram.pushUpdate(group(1, 'just chatting among us'));
    telegram.pushUpdate(group(2, '@relay_test_bot are you there?'));
    const replies = await waitForReplies(groupId, 1);
    await new Promise((r) => setTimeout(r, 500));

    expect(repliesTo(groupId).map((r) => r.text)).toEqual(['echo: are you there?']);
    expect(replies[0]!.reply_parameters).toMatchObject({ message_id: 2 });
  });

  it('answers a long paste that Telegram cut into pieces once, as one message', async () => {
    const chatId = ++nextChat;
    const first = 'lorem ipsum '.repeat(340).trim(); // 4079 characters, as a Telegram client cuts them
    const before = claude.requests.length;
    telegram.pushMessage({ chatId, userId: ALLOWED, text: first });
    telegram.pushMessage({ chatId, userId: ALLOWED, text: 'and the end of it' });
    await waitForReplies(chatId, 1);
    await new Promise((r) => setTimeout(r, 2500));

    expect(claude.requests.length - before).toBe(1);
    expect(claude.requests.at(-1)!.body.messages.at(-1)!.content).toBe(`${first}\nand the end of it`);
    expect(repliesTo(chatId)).toHaveLength(2); // one answer, split by length only: it echoes 4,000+ characters
  });

  /** Resolves once the channel handled every update up to `update` (telegraf acknowledges a batch after its handlers). */
  const handledThrough = (update: { update_id: number }) =>
    vi.waitFor(() => expect(telegram.acknowledgedOffset).toBeGreaterThan(update.update_id), { timeout: 30_000, interval: 50 });

  it('answers a long text and each short question queued behind it on its own', async () => {
    const chatId = ++nextChat;
    const long = 'word '.repeat(720).trim(); // 3,599 characters: long, but not a piece Telegram cut
    const questions = ['first?', 'second?', 'third?'];
    telegram.pushMessage({ chatId, userId: ALLOWED, text: long });
    for (const text of questions) telegram.pushMessage({ chatId, userId: ALLOWED, text });
    const replies = await waitForReplies(chatId, 4);

    expect(replies.map((r) => r.text)).toEqual([`echo: ${long}`, ...questions.map((q) => `echo: ${q}`)]);
  });

  it('joins the pieces of a cut paste, but not the question sent after them', async () => {
    const chatId = ++nextChat;
    const first = 'lorem ipsum '.repeat(340).trim(); // 4079 characters, as a Telegram client cuts them
    const before = claude.requests.length;
    telegram.pushMessage({ chatId, userId: ALLOWED, text: first });
    telegram.pushMessage({ chatId, userId: ALLOWED, text: 'and the end of it' });
    telegram.pushMessage({ chatId, userId: ALLOWED, text: 'what do you think?' });
    const replies = await waitForReplies(chatId, 3); // the paste's echo is split in two parts, then the question

    expect(claude.requests.slice(before).map((request) => request.body.messages.at(-1)!.content)).toEqual([
      `${first}\nand the end of it`,
      'what do you think?',
    ]);
    expect(replies.at(-1)!.text).toBe('echo: what do you think?');
  });

  it('tells the sender of a 100,000-character text that it is too long', async () => {
    const chatId = ++nextChat;
    const huge = 'abcdefghi '.repeat(10_000); // 100,000 characters
    telegram.pushMessage({ chatId, userId: ALLOWED, text: huge });
    const [reply] = await waitForReplies(chatId, 1);

    expect(reply!.text).toContain('Your message is 100000 characters long; the limit is 16000.');
  });

  it('skips updates with a missing or null chat, chat type or sender, counts them, and keeps answering', async () => {
    const chatId = ++nextChat;
    const from = { id: ALLOWED, is_bot: false, first_name: 'A' };
    const before = await setup.metric('relay_telegram_updates_skipped_total', { reason: 'malformed' });
    const hostile = [
      { message: { message_id: 1, date: 0, chat: null, from, text: 'null chat' } },
      { message: { message_id: 2, date: 0, from, text: 'no chat' } },
      { message: { message_id: 3, date: 0, chat: { id: chatId }, from, text: 'no chat type' } },
      { message: { message_id: 4, date: 0, chat: { id: chatId, type: null }, from, text: 'null chat type' } },
      { message: { message_id: 5, date: 0, chat: { id: chatId, type: 'private' }, from: null, text: 'null sender' } },
      { edited_message: null },
      { callback_query: { id: 'cb-null', from: null, data: 'x', chat_instance: 'c' } },
      { callback_query: { id: 'cb-none', data: 'x', chat_instance: 'c', message: { message_id: 9, date: 0, chat: null } } },
    ];
    for (const update of hostile) telegram.pushUpdate(update);
    const good = telegram.pushMessage({ chatId, userId: ALLOWED, text: 'after the noise' });
    await handledThrough(good);
    const replies = await waitForReplies(chatId, 1);

    expect(replies.map((r) => r.text)).toEqual(['echo: after the noise']);
    expect((await setup.metric('relay_telegram_updates_skipped_total', { reason: 'malformed' })) - before).toBe(hostile.length);
    expect(logLines.filter((line) => line.includes('Telegram update handling failed'))).toEqual([]);
    expect(
      logLines.filter((line) => line.includes('skipped a Telegram update') && line.includes('"level":20')).length,
    ).toBeGreaterThanOrEqual(hostile.length);
  });

  it('refuses a stranger at the channel: no workflow starts, one notice an hour, counted', async () => {
    const chatId = ++nextChat; // a private chat: the stranger's user id is the chat id
    const sentBefore = await setup.metric('relay_telegram_strangers_refused_total', { notice: 'sent' });
    const suppressedBefore = await setup.metric('relay_telegram_strangers_refused_total', { notice: 'suppressed' });
    const updates = ['let me in', 'please', 'pretty please'].map((text) => telegram.pushMessage({ chatId, userId: chatId, text }));
    await handledThrough(updates.at(-1)!);

    expect(setup.textsTo(chatId)).toEqual([strangerNotice(String(chatId))]);
    expect((await setup.metric('relay_telegram_strangers_refused_total', { notice: 'sent' })) - sentBefore).toBe(1);
    expect((await setup.metric('relay_telegram_strangers_refused_total', { notice: 'suppressed' })) - suppressedBefore).toBe(2);
    const session = setup.relay.client.workflow.getHandle(chatSessionWorkflowId('telegram', String(chatId)));
    await expect(session.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  const fileMessage = (chatId: number, messageId: number, fields: Record<string, unknown>) => ({
    message: {
      message_id: messageId,
      date: 0,
      chat: { id: chatId, type: 'private' },
      from: { id: ALLOWED, is_bot: false, first_name: 'A' },
      ...fields,
    },
  });

  it('shows Claude a photo (vision input) with its caption', async () => {
    const chatId = ++nextChat;
    const jpeg = Buffer.from('ffd8ffe000104a464946', 'hex');
    telegram.addFile(`photo-${chatId}`, jpeg);
    telegram.pushUpdate(
      fileMessage(chatId, 31, {
        photo: [{ file_id: `photo-${chatId}`, file_unique_id: 'p', width: 90, height: 90, file_size: jpeg.length }],
        caption: 'what is this?',
      }),
    );
    await waitForReplies(chatId, 1);

    const content = claude.requests.at(-1)!.body.messages.at(-1)!.content;
    expect(content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: jpeg.toString('base64') } },
      { type: 'text', text: 'what is this?' },
    ]);
  });

  it('passes a PDF as a document, and refuses unreadable or oversized files with a clear reply', async () => {
    const chatId = ++nextChat;
    const pdf = Buffer.from('%PDF-1.4 test');
    telegram.addFile(`pdf-${chatId}`, pdf);
    const doc = (id: string, mime: string, size: number, name: string) => ({
      document: { file_id: id, file_unique_id: id, mime_type: mime, file_name: name, file_size: size },
    });
    telegram.pushUpdate(fileMessage(chatId, 41, doc(`pdf-${chatId}`, 'application/pdf', pdf.length, 'report.pdf')));
    await waitForReplies(chatId, 1);
    expect(claude.requests.at(-1)!.body.messages.at(-1)!.content).toEqual([
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf.toString('base64') } },
      { type: 'text', text: 'The user sent a document named report.pdf.' },
    ]);

    const before = claude.requests.length;
    telegram.pushUpdate(fileMessage(chatId, 42, doc('zip-1', 'application/zip', 100, 'code.zip')));
    telegram.pushUpdate(fileMessage(chatId, 43, doc('big-1', 'application/pdf', 25 * 1024 * 1024, 'huge.pdf')));
    const replies = await waitForReplies(chatId, 3);

    expect(replies.slice(1).map((r) => r.text)).toEqual([
      'I can read images, PDFs and text files; code.zip is application/zip.',
      'That file is 25.0 MB; Telegram lets bots download files up to 20 MB. Please send a smaller file.',
    ]);
    expect(claude.requests.length).toBe(before);
  });

  it('routes every other message type: voice, location, contact and a button press', async () => {
    const chatId = ++nextChat;
    const from = { id: ALLOWED, is_bot: false, first_name: 'A' };
    const chat = { id: chatId, type: 'private' };
    telegram.pushUpdate({ message: { message_id: 51, date: 0, chat, from, voice: { file_id: 'v1', file_unique_id: 'v1', duration: 2 } } });
    await waitForReplies(chatId, 1);
    telegram.pushUpdate({ message: { message_id: 52, date: 0, chat, from, location: { latitude: 52.52, longitude: 13.405 } } });
    await waitForReplies(chatId, 2);
    telegram.pushUpdate({ message: { message_id: 53, date: 0, chat, from, contact: { phone_number: '+100', first_name: 'Bob' } } });
    await waitForReplies(chatId, 3);
    telegram.pushUpdate({
      callback_query: { id: 'cb-1', from, chat_instance: 'x', data: 'yes', message: { message_id: 50, date: 0, chat } },
    });
    const replies = await waitForReplies(chatId, 4);

    expect(replies.map((r) => r.text)).toEqual([
      'Sorry, voice messages are not supported yet. Send text, a photo or a document.',
      'echo: The user shared a location: 52.52, 13.405.',
      'Sorry, messages of this type are not supported yet. Send text, a photo or a document.',
      'This button has expired.',
    ]);
    expect(telegram.calls).toContainEqual({
      method: 'answerCallbackQuery',
      params: expect.objectContaining({ callback_query_id: 'cb-1' }),
    });
  });

  it('answers unsupported message types with a clear notice', async () => {
    const chatId = ++nextChat;
    telegram.pushUpdate({
      message: {
        message_id: 77,
        date: 0,
        chat: { id: chatId, type: 'private' },
        from: { id: ALLOWED, is_bot: false, first_name: 'A' },
        sticker: { file_id: 'st1', width: 1, height: 1, is_animated: false, is_video: false, type: 'regular' },
      },
    });
    const [reply] = await waitForReplies(chatId, 1);
    expect(reply!.text).toContain('stickers are not supported yet');
  });
});

describe('Telegram channel when Claude fails', () => {
  const ADMIN = 9100;
  let claude: ClaudeDouble;
  let telegram: TelegramDouble;
  let setup: TelegramRelay;
  let relay: Harness;

  beforeAll(async () => {
    setup = await startTelegramRelay({ RELAY_ALLOWED_USERS: String(ALLOWED), RELAY_ADMINS: String(ADMIN) });
    ({ claude, telegram, relay } = setup);
  });
  afterAll(() => setup?.stop());

  const textsTo = (chatId: number) => setup.textsTo(chatId);
  const waitFor = async (condition: () => boolean) => {
    const deadline = Date.now() + 40_000;
    while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  };

  it('tells the user the answer is delayed while Claude keeps failing, then answers once', async () => {
    const chatId = ++nextChat;
    // Two overloads exhaust the first try (and stay below the breaker's threshold of three).
    claude.script({ status: 529, retryAfter: 0 }, { status: 529, retryAfter: 1 });
    telegram.pushMessage({ chatId, userId: ALLOWED, text: 'patience' });
    await waitFor(() => textsTo(chatId).length >= 2);

    expect(textsTo(chatId)).toEqual([DELAYED_NOTICE, 'echo: patience']);
  });

  it('on a rejected API key: the user gets a clear notice, the admins a report, and the message fails for replay', async () => {
    const chatId = ++nextChat;
    claude.script({ status: 401 });
    const update = telegram.pushMessage({ chatId, userId: ALLOWED, text: 'will this work?' });
    await waitFor(() => textsTo(chatId).length >= 1 && textsTo(ADMIN).length >= 1);

    expect(textsTo(chatId)).toEqual([FAILED_NOTICE]);
    expect(textsTo(ADMIN)).toEqual([expect.stringContaining('the agent step fails (RemoteRejected)')]);
    expect(textsTo(ADMIN)[0]).not.toContain('test-key');
    const workflowId = `msg-telegram-${chatId}-${(update.message as { message_id: number }).message_id}`;
    await expect(relay.client.workflow.getHandle(workflowId).result()).rejects.toThrow();
    expect((await relay.client.workflow.getHandle(workflowId).describe()).status.name).toBe('FAILED');
  });
});
