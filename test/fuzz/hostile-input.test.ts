/**
 * Property tests with hostile input (fast-check, fixed seeds, bounded runs): the Telegram update normalizer, the
 * markdown → Telegram HTML renderer and splitter, and the Esper contract parsers never throw on anything, and
 * what they produce is what Telegram and the pipeline accept.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressing } from '../../client/telegram/group-filter';
import { normalizeUpdate } from '../../client/telegram/normalize';
import { decodeEnvelope } from '../../contracts/esper/envelope';
import { esperMessageKinds, parseEsperMessage } from '../../contracts/esper/registry';
import { inboundMessageSchema, MAX_TEXT_CHARS_AT_BOUNDARY } from '../../contracts/message';
import { TELEGRAM_MAX_MESSAGE_CHARS } from '../../domain/split-text';
import { htmlToPlainText, renderTelegramHtml, splitTelegramHtml } from '../../domain/telegram-html';
import { esperExamples } from '../esper/examples';

const seed = 14;
const bot = { id: 777000111, username: 'relay_test_bot' };

/** Odd values a hostile client could put in any field. */
const oddValue = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
  fc.constant(-1),
  fc.object({ maxDepth: 2 }),
  fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }),
);

/** A plausible text: unicode, markdown, HTML and control characters, sometimes far over every limit. */
const hostileText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('a', 'é ', '💥', '<b>', '&amp;', '\u202e', '\u0000', ' '), fc.integer({ min: 1, max: 70_000 }))
      .map(([unit, count]) => unit.repeat(count)),
  },
);

/** A well-formed private or group message update, then some fields replaced by odd values. */
const hostileUpdate = fc
  .record({
    kind: fc.constantFrom('message', 'edited_message', 'callback_query', 'channel_post', 'poll'),
    chatType: fc.constantFrom('private', 'group', 'supergroup', 'channel'),
    text: hostileText,
    replaced: fc.dictionary(
      fc.constantFrom('chat', 'from', 'text', 'caption', 'message_id', 'date', 'edit_date', 'photo', 'document', 'location', 'entities'),
      oddValue,
      { maxKeys: 3 },
    ),
  })
  .map(({ kind, chatType, text, replaced }) => {
    const from = { id: 7, is_bot: false, first_name: 'A', username: 'ada' };
    const message = { message_id: 5, date: 1_700_000_000, chat: { id: -42, type: chatType }, from, text, ...replaced };
    if (kind === 'callback_query') return { update_id: 1, callback_query: { id: 'q', from, data: text.slice(0, 80), message } };
    return { update_id: 1, [kind]: message };
  });

/** The words a reader must still see: runs of letters and digits. */
const wordsOf = (text: string) => text.match(/[\p{L}\p{N}]+/gu) ?? [];

/** Whether every word appears in `visible`, in order. */
function inOrder(words: string[], visible: string): boolean {
  let from = 0;
  for (const word of words) {
    const at = visible.indexOf(word, from);
    if (at < 0) return false;
    from = at + word.length;
  }
  return true;
}

/** Whether the tags of one Telegram message open and close properly nested. */
function balanced(html: string): boolean {
  const open: string[] = [];
  for (const [, closing, name] of html.matchAll(/<(\/?)([a-z-]+)[^>]*>/g)) {
    if (!closing) open.push(name!);
    else if (open.pop() !== name) return false;
  }
  return open.length === 0;
}

describe('hostile Telegram updates', () => {
  it('never make the normalizer or the group filter throw; what passes is a valid inbound message', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: hostileUpdate }, { weight: 1, arbitrary: fc.anything() }), (update) => {
        addressing(update, bot);
        const result = normalizeUpdate(update);
        if (!result.ok) {
          expect(['malformed', 'unsupported', 'invalid']).toContain(result.skip);
          return;
        }
        expect(inboundMessageSchema.safeParse(result.message).success).toBe(true);
        const text = (update as { message?: { text?: unknown } }).message?.text;
        if (typeof text === 'string' && result.message.kind === 'text') {
          // Nothing is lost silently: the text arrives whole, or cut to the cap with its real length.
          if (text.length <= MAX_TEXT_CHARS_AT_BOUNDARY) expect(result.message.text).toBe(text);
          else expect(result.message.textLength).toBe([...text].length);
        }
      }),
      { seed, numRuns: 1500 },
    );
  });
});

describe("Claude's markdown, rendered and split for Telegram", () => {
  /** Markdown-heavy text without link syntax (a link's URL is an attribute, not visible text). */
  const markdownish = fc
    .array(
      fc.oneof(
        fc.constantFrom('*', '**', '_', '__', '~~', '`', '```', '\n', '\n\n', '# ', '> ', '- ', '<', '>', '&', '&lt;', ' ', '\t', '[', ']'),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
        fc.constantFrom('word', 'Ünïcødé', '💥', '𝔘', '\u202e', 'x'.repeat(5000)),
      ),
      { maxLength: 300 },
    )
    .map((pieces) => pieces.join('').replace(/[()]/g, ' '));

  /** The words of the input a reader sees: all but a code fence's info string (`` ```python ``), as in CommonMark. */
  const visibleWords = (markdown: string) =>
    wordsOf(
      markdown
        .replace(/\r\n?/g, '\n')
        .split('\n')
        .map((line) => (/^\s*(`{3,}|~{3,})/.test(line) ? '' : line))
        .join('\n'),
    );

  it('fit every part in 4096 characters with balanced tags, and keep every word visible in order', () => {
    fc.assert(
      fc.property(markdownish, (markdown) => {
        const parts = splitTelegramHtml(renderTelegramHtml(markdown));
        for (const part of parts) {
          expect(htmlToPlainText(part).length).toBeLessThanOrEqual(TELEGRAM_MAX_MESSAGE_CHARS);
          expect(balanced(part)).toBe(true);
        }
        expect(inOrder(visibleWords(markdown), parts.map(htmlToPlainText).join(''))).toBe(true);
      }),
      { seed, numRuns: 800 },
    );
  });

  it('keep parts within the limit and tags balanced with links and arbitrary unicode too', () => {
    const withLinks = fc
      .array(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 30 }),
          fc.tuple(fc.string({ maxLength: 20 }), fc.webUrl()).map(([text, url]) => `[${text}](${url})`),
        ),
        { maxLength: 200 },
      )
      .map((pieces) => pieces.join(' '));
    fc.assert(
      fc.property(withLinks, (markdown) => {
        for (const part of splitTelegramHtml(renderTelegramHtml(markdown))) {
          expect(htmlToPlainText(part).length).toBeLessThanOrEqual(TELEGRAM_MAX_MESSAGE_CHARS);
          expect(balanced(part)).toBe(true);
        }
      }),
      { seed, numRuns: 400 },
    );
  });
});

describe('hostile Esper messages', () => {
  /** A valid example of a kind with some of its fields (top level or one deeper) replaced by odd values. */
  const mutatedExample = fc
    .record({
      kind: fc.constantFrom(...esperMessageKinds),
      replacements: fc.array(fc.tuple(fc.nat(), fc.nat(), oddValue), { maxLength: 3 }),
    })
    .map(({ kind, replacements }) => {
      const message = structuredClone(esperExamples[kind]) as Record<string, unknown>;
      for (const [first, second, value] of replacements) {
        const keys = Object.keys(message);
        const key = keys[first % keys.length]!;
        const inner = message[key];
        if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
          const innerKeys = Object.keys(inner);
          if (innerKeys.length > 0) (inner as Record<string, unknown>)[innerKeys[second % innerKeys.length]!] = value;
        } else message[key] = value;
      }
      return { kind: kind as string, raw: message as unknown };
    });
  const anyInput = fc.record({ kind: fc.oneof(fc.constantFrom(...esperMessageKinds), fc.string()), raw: fc.anything() });

  it('parse to a typed message or a typed rejection, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedExample, anyInput), ({ kind, raw }) => {
        const result = parseEsperMessage(kind, raw);
        if (!result.ok) expect(['unknown_kind', 'future_version', 'invalid']).toContain(result.reason);
      }),
      { seed, numRuns: 1500 },
    );
  });

  it('decode any envelope text to an envelope or a reason, never a throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.anything().map((value) => JSON.stringify(value) ?? ''),
        ),
        (text) => {
          decodeEnvelope(text);
        },
      ),
      { seed, numRuns: 500 },
    );
  });
});
