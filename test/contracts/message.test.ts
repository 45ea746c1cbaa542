import { describe, it, expect } from 'vitest';
import { ZodError } from 'zod';
import { MAX_TEXT_CHARS_AT_BOUNDARY, parseInboundMessage } from '../../contracts/message';

const valid = {
  channel: 'telegram',
  chatId: '-1001234567890',
  userId: '42',
  messageId: 'tg:1001:77',
  kind: 'text',
  text: 'hello',
  receivedAt: '2025-01-01T12:00:00.000Z',
};

/** The dotted paths of the fields a parse rejected. */
function rejectedFields(input: unknown): string[] {
  try {
    parseInboundMessage(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ZodError);
    return (error as ZodError).issues.map((issue) => issue.path.join('.'));
  }
  throw new Error('expected parseInboundMessage to throw');
}

describe('parseInboundMessage', () => {
  it('accepts a valid message and defaults edited to false', () => {
    const message = parseInboundMessage(valid);
    expect(message).toEqual({ ...valid, edited: false });
  });

  it('accepts attachments, locations and callback data', () => {
    const message = parseInboundMessage({
      ...valid,
      kind: 'document',
      attachment: { fileId: 'BQACAgIAAxkBAAI', mimeType: 'application/pdf', fileName: 'a.pdf', sizeBytes: 1234 },
      location: { latitude: -90, longitude: 180 },
      callbackData: 'btn:1',
    });
    expect(message.attachment?.fileName).toBe('a.pdf');
    expect(message.location).toEqual({ latitude: -90, longitude: 180 });
  });

  it.each(['abc', '12a', '', '1'.repeat(21), '1.5', ' 42'])('rejects chat id %j, naming chatId', (chatId) => {
    expect(rejectedFields({ ...valid, chatId })).toEqual(['chatId']);
  });

  it('rejects a numeric (non-string) chat id, naming chatId', () => {
    expect(rejectedFields({ ...valid, chatId: 42 })).toEqual(['chatId']);
  });

  it('says why a chat id is bad', () => {
    expect(() => parseInboundMessage({ ...valid, chatId: 'abc' })).toThrow(/numeric id/);
  });

  it('accepts text at the boundary limit and rejects one character more, naming text', () => {
    expect(parseInboundMessage({ ...valid, text: 'a'.repeat(MAX_TEXT_CHARS_AT_BOUNDARY) }).text).toHaveLength(64_000);
    expect(rejectedFields({ ...valid, text: 'a'.repeat(64_001) })).toEqual(['text']);
  });

  it('rejects an unknown kind, naming kind', () => {
    expect(rejectedFields({ ...valid, kind: 'gif' })).toEqual(['kind']);
  });

  it('rejects an unknown channel, naming channel', () => {
    expect(rejectedFields({ ...valid, channel: 'whatsapp' })).toEqual(['channel']);
  });

  it('rejects a message id with unsafe characters, naming messageId', () => {
    expect(rejectedFields({ ...valid, messageId: '../etc/passwd' })).toEqual(['messageId']);
  });

  it('rejects out-of-range coordinates, naming the coordinate', () => {
    expect(rejectedFields({ ...valid, kind: 'location', location: { latitude: 91, longitude: 0 } })).toEqual(['location.latitude']);
  });

  it('rejects a receivedAt that is not an ISO date-time', () => {
    expect(rejectedFields({ ...valid, receivedAt: 'yesterday' })).toEqual(['receivedAt']);
  });

  it('names every bad field at once', () => {
    expect(rejectedFields({ ...valid, chatId: 'x', userId: 'y', kind: 'gif', text: 'a'.repeat(64_001) }).sort()).toEqual([
      'chatId',
      'kind',
      'text',
      'userId',
    ]);
  });

  it('names missing required fields', () => {
    expect(rejectedFields({}).sort()).toEqual(['channel', 'chatId', 'kind', 'messageId', 'receivedAt', 'userId']);
  });

  it.each([
    ['emoji', '👋🏽 hi 🇩🇪 🧑‍💻'],
    ['right-to-left marks', '\u200Fשלום\u200E hello \u202Eevil\u202C'],
    ['zero-width joiners', 'a\u200Db\u200Cc\uFEFF👨\u200D👩\u200D👧'],
    ['combining marks', 'Z̷̢a̶l̸g̵o̴ e\u0301'],
    ['a lone surrogate', 'broken \uD83D half'],
  ])('accepts and preserves odd unicode: %s', (_label, text) => {
    const message = parseInboundMessage({ ...valid, text, username: text.slice(0, 10) });
    expect(message.text).toBe(text);
  });
});
