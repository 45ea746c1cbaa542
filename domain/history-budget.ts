/**
 * Conversation history bounded by a token budget. Tokens are estimated (about four characters each, the usual
 * rule of thumb for English with Claude's tokenizer) so no tokenizer call sits on the hot path.
 */

export interface Turn {
  seq: number;
  messageId: string;
  role: 'user' | 'assistant';
  text: string;
}

/** A cheap, deterministic token estimate: ceil(chars / 4), at least 1 for non-empty text. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/**
 * Picks the newest turns that fit in `budget` tokens, oldest first, starting on a user turn so the window
 * never opens with an orphaned assistant reply.
 */
export function selectHistoryWindow(turns: Turn[], budget: number): { window: Turn[]; tokens: number } {
  const window: Turn[] = [];
  let tokens = 0;
  for (let i = turns.length - 1; i >= 0; i--) {
    const cost = estimateTokens(turns[i]!.text);
    if (tokens + cost > budget) break;
    window.unshift(turns[i]!);
    tokens += cost;
  }
  while (window.length > 0 && window[0]!.role !== 'user') tokens -= estimateTokens(window.shift()!.text);
  return { window, tokens };
}
