/**
 * Splits a reply into parts a channel accepts (Telegram: 4096 characters), preferring paragraph, then line, then
 * word boundaries, and never splitting a surrogate pair. Code fences cut by a split are closed and reopened.
 */

export const TELEGRAM_MAX_MESSAGE_CHARS = 4096;

export function splitText(text: string, maxChars = TELEGRAM_MAX_MESSAGE_CHARS): string[] {
  if (maxChars < 16) throw new RangeError('maxChars must be at least 16');
  const parts: string[] = [];
  let rest = text.trim();
  let reopenFence = '';
  while (rest.length > 0) {
    rest = reopenFence + rest;
    if (rest.length <= maxChars) {
      parts.push(rest);
      break;
    }
    // Leave room to close a code fence that is open at the cut.
    const budget = maxChars - 4;
    const cut = findCut(rest, budget);
    let part = rest.slice(0, cut).trimEnd();
    const fence = openFence(part);
    if (fence !== undefined) part += '\n```';
    reopenFence = fence !== undefined ? `\`\`\`${fence}\n` : '';
    parts.push(part);
    rest = rest.slice(cut).trimStart();
    if (rest.length === 0) break;
  }
  return parts.filter((part) => part.length > 0);
}

function findCut(text: string, budget: number): number {
  const window = text.slice(0, budget);
  for (const separator of ['\n\n', '\n', ' ']) {
    const at = window.lastIndexOf(separator);
    if (at > budget / 2) return at + separator.length;
  }
  // No natural boundary: hard cut, but not between the halves of a surrogate pair.
  const code = text.charCodeAt(budget - 1);
  return code >= 0xd800 && code <= 0xdbff ? budget - 1 : budget;
}

/** The language tag of a code fence left open at the end of `text`, or undefined when all fences are closed. */
function openFence(text: string): string | undefined {
  let open: string | undefined;
  for (const match of text.matchAll(/^```([^\n`]*)$/gm)) open = open === undefined ? match[1]!.trim() : undefined;
  return open;
}
