import { describe, expect, it } from 'vitest';
import type { Update } from 'telegraf/types';
import { normalizeUpdate } from '../../client/telegram/normalize';

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

  it('explains what is wrong with updates it cannot use', () => {
    expect(normalizeUpdate(update({ poll: { id: 'p' } }), at)).toEqual({ ok: false, reason: 'update 1 carries no message (poll)' });
    expect(normalizeUpdate(update({ message: { message_id: 1, date: 0, chat } }), at)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no sender'),
    });
    expect(normalizeUpdate(update({ message: { message_id: 1, date: 0, chat, from: { id: 'x' }, text: 'a' } }), at)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('userId'),
    });
  });

  it('refuses a text longer than the boundary cap instead of passing it on', () => {
    const result = normalizeUpdate(update({ message: { message_id: 1, date: 0, chat, from, text: 'x'.repeat(64_001) } }), at);
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('text') });
  });
});
