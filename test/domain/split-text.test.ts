import { describe, it, expect } from 'vitest';
import { splitText, TELEGRAM_MAX_MESSAGE_CHARS } from '../../domain/split-text';

const withoutWhitespace = (text: string) => text.replace(/\s+/g, '');
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const fenceLines = (text: string) => text.match(/^```/gm)?.length ?? 0;

function paragraphs(totalChars: number): string {
  const out: string[] = [];
  let length = 0;
  for (let i = 0; length < totalChars; i++) {
    const paragraph = `Paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(8).trim()}.`;
    out.push(paragraph);
    length += paragraph.length + 2;
  }
  return out.join('\n\n').slice(0, totalChars);
}

describe('splitText', () => {
  it('returns short text as a single, trimmed part', () => {
    expect(splitText('  hello world \n')).toEqual(['hello world']);
  });

  it('returns text of exactly the maximum length as one part', () => {
    const text = 'a'.repeat(TELEGRAM_MAX_MESSAGE_CHARS);
    expect(splitText(text)).toEqual([text]);
  });

  it('returns no parts for empty or whitespace-only text', () => {
    expect(splitText('')).toEqual([]);
    expect(splitText(' \n\t ')).toEqual([]);
  });

  it('rejects a maximum below 16 characters', () => {
    expect(() => splitText('hello', 15)).toThrow(RangeError);
  });

  describe('10,000 characters of paragraphs', () => {
    const text = paragraphs(10_000);
    const parts = splitText(text);

    it('needs several parts', () => {
      expect(text.length).toBe(10_000);
      expect(parts.length).toBeGreaterThanOrEqual(3);
    });

    it('keeps every part within the Telegram limit', () => {
      for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    });

    it('preserves the content, apart from whitespace at the cuts', () => {
      expect(withoutWhitespace(parts.join(''))).toBe(withoutWhitespace(text));
    });

    it('cuts at paragraph boundaries', () => {
      for (const part of parts.slice(0, -1)) expect(part.endsWith('.')).toBe(true);
      for (const part of parts) expect(part.startsWith('Paragraph ')).toBe(true);
    });

    it('never leaves leading or trailing whitespace on a part', () => {
      for (const part of parts) expect(part).toBe(part.trim());
    });
  });

  it('falls back to line, then word boundaries when there are no paragraphs', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i} of the log`).join('\n');
    const lineParts = splitText(lines, 100);
    for (const part of lineParts) expect(part).toMatch(/^line \d+ of the log(\nline \d+ of the log)*$/);

    const words = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const wordParts = splitText(words, 100);
    for (const part of wordParts) expect(part).toMatch(/^word\d+( word\d+)*$/);
    expect(wordParts.join(' ')).toBe(words);
  });

  it('hard-cuts text with no natural boundary and loses nothing', () => {
    const text = 'a'.repeat(10_000);
    const parts = splitText(text);
    expect(parts.length).toBe(3);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    expect(parts.join('')).toBe(text);
  });

  describe('surrogate pairs', () => {
    it.each([
      ['aligned', ''],
      ['offset by one code unit', 'x'],
    ])('never splits an emoji when hard-cutting emoji-only text (%s)', (_label, prefix) => {
      const text = prefix + '😀🚀👍🏽🎉'.repeat(1500);
      const parts = splitText(text);
      expect(parts.length).toBeGreaterThan(1);
      for (const part of parts) {
        expect(part.length).toBeLessThanOrEqual(4096);
        expect(loneSurrogate.test(part)).toBe(false);
      }
      expect(parts.join('')).toBe(text);
    });

    it('never splits an emoji in emoji-heavy prose', () => {
      const text = Array.from({ length: 2000 }, (_, i) => `${i}🙂🔥👨‍👩‍👧`).join(' ');
      const parts = splitText(text, 500);
      for (const part of parts) {
        expect(part.length).toBeLessThanOrEqual(500);
        expect(loneSurrogate.test(part)).toBe(false);
      }
      expect(withoutWhitespace(parts.join(''))).toBe(withoutWhitespace(text));
    });
  });

  describe('code blocks', () => {
    const codeLines = Array.from({ length: 400 }, (_, i) => `const value${i} = compute(${i}, "abc");`);
    const text = ['Here is the file:', '', '```ts', ...codeLines, '```', '', 'That is all.'].join('\n');
    const parts = splitText(text);

    it('splits a long code block into several parts within the limit', () => {
      expect(text.length).toBeGreaterThan(10_000);
      expect(parts.length).toBeGreaterThanOrEqual(3);
      for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    });

    it('keeps the code fences balanced in every part', () => {
      for (const part of parts) expect(fenceLines(part) % 2).toBe(0);
    });

    it('reopens the fence with its language in each continuation part', () => {
      for (const part of parts.slice(1)) expect(part.startsWith('```ts\n')).toBe(true);
      for (const part of parts.slice(0, -1)) expect(part.endsWith('\n```')).toBe(true);
    });

    it('keeps every code line, in order', () => {
      const seen = parts
        .join('\n')
        .split('\n')
        .filter((line) => line.startsWith('const '));
      expect(seen).toEqual(codeLines);
    });

    it('keeps the fences balanced when a fenced line has no boundary and must be hard-cut', () => {
      const long = ['```', 'x'.repeat(9_000), '```'].join('\n');
      const hardParts = splitText(long);
      for (const part of hardParts) {
        expect(part.length).toBeLessThanOrEqual(4096);
        expect(fenceLines(part) % 2).toBe(0);
      }
      const content = withoutWhitespace(hardParts.join('')).replace(/```/g, '');
      expect(content.length).toBe(9_000);
      expect(/^x+$/.test(content)).toBe(true);
    });
  });
});
