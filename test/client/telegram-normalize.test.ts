import { describe, expect, it } from 'vitest';
import type { Update } from 'telegraf/types';
import { normalizeUpdate } from '../../client/telegram/normalize';
import { MAX_TEXT_CHARS_AT_BOUNDARY } from '../../contracts/message';

const at = new Date('2026-11-21T10:00:00Z');
const from = { id: 7, is_bot: false, first_name: 'Ada', username: 'ada' };
const chat = { id: 42, type: 'private', first_name: 'Ada' };
const update = (fields: Record<string, unknown>) => ({ update_id: 1, ...fields }) as unknown as Update;

describe('normalizeUpdate', () => {
  it('turns a text message into an inbound message keyed by chat and message id', () => {
    const result = normalizeUpdate(update({ message: { message_id: 5, date: 0, chat, from, text: 'hi' } }), at);
    expect(result).toEqual({
      ok: true,
      message: {
        channel: 'telegram',
        chatId: '42',
        userId: '7',
        messageId: '5',
        kind: 'text',
        edited: false,
        text: 'hi',
        username: 'ada',
        sentAt: '1970-01-01T00:00:00.000Z',
        receivedAt: at.toISOString(),
      },
    });
  });

  it('gives an edit its own message id, so it is not mistaken for a redelivery of the original', () => {
    const result = normalizeUpdate(
      update({ edited_message: { message_id: 5, date: 0, edit_date: 1700000000, chat, from, text: 'hi!' } }),
      at,
    );
    expect(result).toMatchObject({ ok: true, message: { messageId: '5-edit-1700000000', edited: true, text: 'hi!' } });
  });

  it('takes the largest photo size and the caption as text', () => {
    const photo = [
      { file_id: 'small', file_size: 10 },
      { file_id: 'large', file_size: 9000 },
    ];
    const result = normalizeUpdate(update({ message: { message_id: 6, date: 0, chat, from, photo, caption: 'look' } }), at);
    expect(result).toMatchObject({ ok: true, message: { kind: 'photo', text: 'look', attachment: { fileId: 'large', sizeBytes: 9000 } } });
  });

  it('maps a callback query to a callback message, naming the message whose button was pressed', () => {
    const result = normalizeUpdate(
      update({ callback_query: { id: '99', from, data: 'yes', message: { message_id: 3, date: 0, chat } } }),
      at,
    );
    expect(result).toMatchObject({
      ok: true,
      message: { kind: 'callback', messageId: 'cb99', callbackData: 'yes', callbackMessageId: '3', chatId: '42' },
    });
  });

  it('explains what is wrong with updates it cannot use, and whether Telegram could have sent them', () => {
    expect(normalizeUpdate(update({ poll: { id: 'p' } }), at)).toEqual({
      ok: false,
      skip: 'unsupported',
      reason: 'update 1 carries no message (poll)',
    });
    expect(normalizeUpdate(update({ message: { message_id: 1, date: 0, chat } }), at)).toMatchObject({
      ok: false,
      skip: 'unsupported',
      reason: expect.stringContaining('no sender'),
    });
    expect(normalizeUpdate(update({ message: { message_id: 1, date: 0, chat, from: { id: 'x' }, text: 'a' } }), at)).toMatchObject({
      ok: false,
      skip: 'malformed',
      reason: expect.stringContaining('message.from.id'),
    });
    expect(normalizeUpdate(update({ message: { message_id: 1, date: 0, chat: null, from, text: 'a' } }), at)).toMatchObject({
      ok: false,
      skip: 'malformed',
      reason: expect.stringContaining('message.chat'),
    });
    expect(
      normalizeUpdate(update({ message: { message_id: 1, date: 0, chat, from, text: 'a', username: 'u'.repeat(65) } }), at),
    ).toMatchObject({
      ok: true,
    });
    expect(
      normalizeUpdate(update({ message: { message_id: 1, date: 0, chat, from: { ...from, username: 'u'.repeat(65) }, text: 'a' } }), at),
    ).toMatchObject({
      ok: false,
      skip: 'invalid',
      reason: expect.stringContaining('username'),
    });
  });

  it('cuts a text longer than the boundary cap to it and keeps its real length, so the gate can refuse it', () => {
    const result = normalizeUpdate(update({ message: { message_id: 1, date: 0, chat, from, text: 'x'.repeat(100_000) } }), at);
    expect(result).toMatchObject({ ok: true, message: { textLength: 100_000 } });
    expect(result.ok && result.message.text?.length).toBe(MAX_TEXT_CHARS_AT_BOUNDARY);
  });
});
