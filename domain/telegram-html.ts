/**
 * Claude's markdown answers → Telegram Bot API HTML (`parse_mode: 'HTML'`). Telegram rejects the whole message when
 * the HTML is malformed, so the renderer only ever emits balanced, properly nested tags, and anything it does not
 * understand stays escaped text. Splitting lives in telegram-html-split.ts; the plain-text fallback is here.
 */
import { escapeAttribute, escapeHtml, renderInline } from './telegram-markdown-inline';

export { splitTelegramHtml } from './telegram-html-split';

const fencePattern = /^\s*(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
const languagePattern = /^[\w+#.-]+$/;
const headingPattern = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/;
const quotePattern = /^\s{0,3}>\s?(.*)$/;
const bulletPattern = /^(\s*)[-*+]\s+(.*)$/;

/** Renders markdown as Telegram HTML: code blocks, inline code, bold, italic, strikethrough, links, headings, quotes, bullets. */
export function renderTelegramHtml(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let at = 0;
  while (at < lines.length) {
    const fence = fencePattern.exec(lines[at]!);
    if (fence) {
      const end = closingFenceIndex(lines, at, fence[1]!);
      out.push(renderCodeBlock(lines.slice(at + 1, end), fence[2]!));
      at = end + 1;
      continue;
    }
    const quoted: string[] = [];
    for (let match; at < lines.length && (match = quotePattern.exec(lines[at]!)); at++) quoted.push(match[1]!);
    if (quoted.length > 0) out.push(`<blockquote>${quoted.map(renderLine).join('\n')}</blockquote>`);
    else out.push(renderLine(lines[at++]!));
  }
  return out.join('\n').trim();
}

/** The index of the line closing the fence opened at `start`; an unclosed fence runs to the end. */
function closingFenceIndex(lines: string[], start: number, opening: string): number {
  const closing = new RegExp(`^\\s*${opening[0]}{${opening.length},}\\s*$`);
  for (let at = start + 1; at < lines.length; at++) if (closing.test(lines[at]!)) return at;
  return lines.length;
}

function renderCodeBlock(code: string[], language: string): string {
  const attribute = languagePattern.test(language) ? ` class="language-${escapeAttribute(language)}"` : '';
  return `<pre><code${attribute}>${escapeHtml(code.join('\n'))}</code></pre>`;
}

function renderLine(line: string): string {
  const heading = headingPattern.exec(line);
  // A heading is bold already; bold inside it would nest <b> in <b>.
  if (heading && heading[1] !== '') return `<b>${renderInline(heading[1]!).replace(/<\/?b>/g, '')}</b>`;
  const bullet = bulletPattern.exec(line);
  if (bullet) return `${bullet[1]}• ${renderInline(bullet[2]!)}`;
  return renderInline(line);
}

/** Strips the tags and decodes the entities: the text Telegram shows, for sending when it still rejects the HTML. */
export function htmlToPlainText(html: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
  return html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot);/g, (_entity, name: string) => entities[name]!);
}
