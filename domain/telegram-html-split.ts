/**
 * Splits rendered Telegram HTML into messages Telegram accepts. The limit applies to the text after entity parsing, so
 * tags cost nothing and `&lt;` costs one character (astral characters count two, as in UTF-16). Cuts fall on paragraph,
 * then line, then word boundaries and never inside a tag, an entity or a surrogate pair; tags open at a cut are closed
 * at the end of the part and reopened, with their attributes, at the start of the next one.
 */
import { TELEGRAM_MAX_MESSAGE_CHARS } from './split-text';

interface Token {
  raw: string;
  /** Characters Telegram counts for this token: 0 for a tag. */
  size: number;
  tag?: { name: string; closing: boolean };
}

// A tag, an entity, a surrogate pair or any other single UTF-16 unit.
const tokenPattern = /<[^>]*>|&#?\w+;|[\uD800-\uDBFF][\uDC00-\uDFFF]|[^]/g;

/** Splits `html` into well-formed parts of at most `maxChars` characters of text each. */
export function splitTelegramHtml(html: string, maxChars = TELEGRAM_MAX_MESSAGE_CHARS): string[] {
  if (maxChars < 16) throw new RangeError('maxChars must be at least 16');
  const tokens = tokenize(html.trim());
  const offsets = [0];
  for (const token of tokens) offsets.push(offsets[offsets.length - 1]! + token.size);
  const parts: string[] = [];
  let open: Token[] = [];
  let start = 0;
  while (start < tokens.length) {
    let end = start;
    while (end < tokens.length && offsets[end + 1]! - offsets[start]! <= maxChars) end++;
    const cut = end === tokens.length ? end : findCut(tokens, offsets, start, end, maxChars);
    const body = trim(tokens.slice(start, cut));
    const stillOpen = openAfter(open, body);
    if (body.some((token) => !token.tag && token.raw.trim() !== '')) {
      const closing = stillOpen.map((token) => `</${token.tag!.name}>`).reverse();
      parts.push([...open.map((token) => token.raw), ...body.map((token) => token.raw), ...closing].join(''));
    }
    open = stillOpen;
    start = cut;
  }
  return parts;
}

function tokenize(html: string): Token[] {
  return Array.from(html.matchAll(tokenPattern), ([raw]) => {
    if (raw.startsWith('<')) {
      const match = /^<(\/?)([a-z][\w-]*)/i.exec(raw);
      // Anything else that looks like a tag (`<br/>`) passes through without opening or closing.
      const isPair = match !== null && !raw.endsWith('/>');
      return { raw, size: 0, tag: isPair ? { name: match[2]!.toLowerCase(), closing: match[1] === '/' } : undefined };
    }
    // Numeric entities may stand for an astral character: count two to stay on the safe side.
    return { raw, size: raw.startsWith('&#') ? 2 : raw.startsWith('&') ? 1 : raw.length };
  });
}

/** Where to end the part that starts at `start` and must end by `end`: after a paragraph, line or word if possible. */
function findCut(tokens: Token[], offsets: number[], start: number, end: number, maxChars: number): number {
  const isAt = (index: number, raw: string) => tokens[index]?.raw === raw && !tokens[index]?.tag;
  const boundaries: ((index: number) => boolean)[] = [
    (index) => isAt(index - 1, '\n') && isAt(index - 2, '\n'),
    (index) => isAt(index - 1, '\n'),
    (index) => isAt(index - 1, ' '),
  ];
  for (const isBoundary of boundaries) {
    for (let index = end; offsets[index]! - offsets[start]! > maxChars / 2; index--) {
      if (isBoundary(index)) return takeClosingTags(tokens, index);
    }
  }
  // No natural boundary: cut before any tags that would open right at the end of the part.
  let cut = end;
  while (cut > start + 1 && tokens[cut - 1]!.tag && !tokens[cut - 1]!.tag!.closing) cut--;
  return takeClosingTags(tokens, cut);
}

/** Closing tags right after a cut belong to the part before it, so the next part does not open an empty element. */
function takeClosingTags(tokens: Token[], cut: number): number {
  while (tokens[cut]?.tag?.closing) cut++;
  return cut;
}

/** Drops newlines at the start of a part and whitespace at its end (tags kept), so parts do not start or end blank. */
function trim(body: Token[]): Token[] {
  const isText = (token: Token, pattern: RegExp) => !token.tag && pattern.test(token.raw);
  let first = 0;
  while (first < body.length && isText(body[first]!, /^\n$/)) first++;
  const kept = body.slice(first);
  for (let index = kept.length - 1; index >= 0; index--) {
    const token = kept[index]!;
    if (isText(token, /^\s$/)) kept.splice(index, 1);
    else if (!token.tag?.closing) break;
  }
  return kept;
}

/** The tags still open after `body`, given those open before it. */
function openAfter(open: Token[], body: Token[]): Token[] {
  const stack = [...open];
  for (const token of body) {
    if (!token.tag) continue;
    if (!token.tag.closing) stack.push(token);
    else {
      const index = stack.map((entry) => entry.tag!.name).lastIndexOf(token.tag.name);
      if (index >= 0) stack.splice(index);
    }
  }
  return stack;
}
