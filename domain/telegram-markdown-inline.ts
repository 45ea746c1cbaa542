/**
 * Inline markdown (one line) → Telegram HTML. Emphasis is parsed with a stack of open markers that is turned into
 * text again when a marker is never closed, so the output is always well-formed however broken the input is.
 */

/** Escapes text for Telegram HTML, which only needs `&`, `<` and `>`. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (char) => (char === '&' ? '&amp;' : char === '<' ? '&lt;' : '&gt;'));
}

/** Escapes an attribute value (quoted with `"`). */
export function escapeAttribute(value: string): string {
  return escapeHtml(value).replace(/"/g, '&quot;');
}

const tagOf: Record<string, string> = { '**': 'b', __: 'b', '*': 'i', _: 'i', '~~': 's' };
const linkedSchemes = /^(?:https?|tg):\/\//i;
// `[text](url)`, allowing one level of parentheses inside the url (Wikipedia links).
const linkPattern = /\[([^[\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/y;
// A bare url, without trailing punctuation or emphasis markers, is kept as it is so `_` in it is not emphasis.
const bareUrlPattern = /(?:https?|tg):\/\/[^\s<>]*[^\s<>*_~.,;:!?'"()[\]]/iy;
const interesting = /[*_~`[\\]|(?:https?|tg):\/\//gi;
const escapable = /^[*_~`[\]#>]$/;
const wordChar = /[\p{L}\p{N}]/u;

interface Frame {
  marker: string;
  html: string;
}

interface Atom {
  html: string;
  end: number;
}

/** Renders one line of inline markdown: code spans, links, bold, italic and strikethrough. */
export function renderInline(text: string, allowLinks = true): string {
  const stack: Frame[] = [{ marker: '', html: '' }];
  let at = 0;
  while (at < text.length) {
    interesting.lastIndex = at;
    const next = interesting.exec(text)?.index ?? text.length;
    if (next > at) top(stack).html += escapeHtml(text.slice(at, next));
    if (next === text.length) break;
    const atom = matchAtom(text, next, allowLinks);
    if (atom) {
      top(stack).html += atom.html;
      at = atom.end;
    } else if ('*_~'.includes(text[next]!)) {
      at = handleDelimiterRun(text, next, stack);
    } else {
      top(stack).html += escapeHtml(text[next]!);
      at = next + 1;
    }
  }
  while (stack.length > 1) dissolveTop(stack);
  return stack[0]!.html;
}

/** Things rendered as a whole, whose inside is never emphasis: code spans, links, bare urls, escaped characters. */
function matchAtom(text: string, at: number, allowLinks: boolean): Atom | undefined {
  const char = text[at]!;
  if (char === '`') return matchCodeSpan(text, at);
  if (char === '\\') return escapable.test(text[at + 1] ?? '') ? { html: escapeHtml(text[at + 1]!), end: at + 2 } : undefined;
  if (char === '[') return allowLinks ? matchLink(text, at) : undefined;
  if (at > 0 && wordChar.test(text[at - 1]!)) return undefined;
  bareUrlPattern.lastIndex = at;
  const url = bareUrlPattern.exec(text);
  return url ? { html: escapeHtml(url[0]), end: at + url[0].length } : undefined;
}

function matchCodeSpan(text: string, at: number): Atom | undefined {
  const fence = /^`+/.exec(text.slice(at))![0];
  const closing = new RegExp(`(?<!\`)${fence}(?!\`)`, 'g');
  closing.lastIndex = at + fence.length;
  const match = closing.exec(text);
  const code = match ? text.slice(at + fence.length, match.index) : '';
  if (!match || code.trim() === '') return { html: fence, end: at + fence.length };
  return { html: `<code>${escapeHtml(code)}</code>`, end: match.index + fence.length };
}

function matchLink(text: string, at: number): Atom | undefined {
  linkPattern.lastIndex = at;
  const match = linkPattern.exec(text);
  if (!match) return undefined;
  const [whole, label, url] = match as unknown as [string, string, string];
  // Other schemes (javascript:, relative paths) stay visible as the markdown the model wrote.
  const html = linkedSchemes.test(url) ? `<a href="${escapeAttribute(url)}">${renderInline(label, false)}</a>` : escapeHtml(whole);
  return { html, end: at + whole.length };
}

/**
 * A run of `*`, `_` or `~` closes the nearest open marker of the same character and/or opens new ones. Markers only
 * open at the start of a word and close at its end, so `snake_case` and `2*3*4` stay text.
 */
function handleDelimiterRun(text: string, at: number, stack: Frame[]): number {
  const char = text[at]!;
  let end = at;
  while (text[end] === char) end++;
  let left = end - at;
  const before = text[at - 1];
  const after = text[end];
  // `__init__.py`: a marker followed by `.`, `-` or `/` and a letter is inside a name, not at the end of a word.
  const insideName = /[./-]/.test(after ?? '') && isWord(text[end + 1]);
  const opens = !isSpace(after) && !isWord(before);
  const closes = !isSpace(before) && !isWord(after) && !insideName;
  const usable = char === '~' ? left === 2 : left <= 3;
  if (usable && closes) left = closeMarkers(stack, char, left);
  if (usable && left > 0 && opens) {
    if (left === 3) stack.push({ marker: char + char, html: '' });
    stack.push({ marker: left === 2 ? char + char : char, html: '' });
    left = 0;
  }
  top(stack).html += char.repeat(left);
  return end;
}

const isSpace = (char: string | undefined) => char === undefined || /\s/.test(char);
const isWord = (char: string | undefined) => char !== undefined && wordChar.test(char);

/** Closes open markers made of `char` while the run has characters left; returns how many are left. */
function closeMarkers(stack: Frame[], char: string, left: number): number {
  for (;;) {
    let index = stack.length - 1;
    while (index > 0 && stack[index]!.marker[0] !== char) index--;
    const frame = stack[index]!;
    if (index === 0 || frame.marker.length > left || frame.html === '') return left;
    while (stack.length - 1 > index) dissolveTop(stack);
    stack.pop();
    top(stack).html += `<${tagOf[frame.marker]}>${frame.html}</${tagOf[frame.marker]}>`;
    left -= frame.marker.length;
  }
}

/** An unclosed marker becomes text again, keeping what was rendered after it. */
function dissolveTop(stack: Frame[]): void {
  const frame = stack.pop()!;
  top(stack).html += frame.marker + frame.html;
}

const top = (stack: Frame[]) => stack[stack.length - 1]!;
