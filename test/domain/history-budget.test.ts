import { describe, it, expect } from 'vitest';
import { estimateTokens, selectHistoryWindow, type Turn } from '../../domain/history-budget';

/** Builds alternating user/assistant turns; each text is `tokens * 4` characters, i.e. exactly `tokens` tokens. */
function turns(...specs: Array<[Turn['role'], number]>): Turn[] {
  return specs.map(([role, tokens], i) => ({ seq: i + 1, messageId: `m${i + 1}`, role, text: 'x'.repeat(tokens * 4) }));
}

describe('estimateTokens', () => {
  it('is zero for empty text', () => {
    expect(estimateTokens('')).toBe(0);
  });

  it('is at least one for any non-empty text', () => {
    expect(estimateTokens('a')).toBe(1);
  });

  it('rounds characters / 4 up', () => {
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimateTokens('x'.repeat(400))).toBe(100);
  });
});

describe('selectHistoryWindow', () => {
  it('keeps everything when it all fits, oldest first', () => {
    const all = turns(['user', 10], ['assistant', 10], ['user', 10], ['assistant', 10]);
    const { window, tokens } = selectHistoryWindow(all, 1000);
    expect(window.map((t) => t.seq)).toEqual([1, 2, 3, 4]);
    expect(tokens).toBe(40);
  });

  it('keeps the newest turns that fit the budget and drops older ones', () => {
    const all = turns(['user', 10], ['assistant', 10], ['user', 10], ['assistant', 10]);
    const { window, tokens } = selectHistoryWindow(all, 25);
    expect(window.map((t) => t.seq)).toEqual([3, 4]);
    expect(tokens).toBe(20);
  });

  it('uses the budget exactly when turns fit to the token', () => {
    const all = turns(['user', 10], ['assistant', 10], ['user', 10], ['assistant', 10]);
    expect(selectHistoryWindow(all, 40).window).toHaveLength(4);
  });

  it('stops at the first turn that does not fit, even if an older smaller one would', () => {
    const all = turns(['user', 1], ['assistant', 50], ['user', 10], ['assistant', 10]);
    expect(selectHistoryWindow(all, 30).window.map((t) => t.seq)).toEqual([3, 4]);
  });

  it('never starts the window with an assistant turn', () => {
    const all = turns(['user', 10], ['assistant', 10], ['user', 10], ['assistant', 10]);
    // 30 tokens would fit turns 2..4, but turn 2 is an orphaned assistant reply.
    const { window, tokens } = selectHistoryWindow(all, 30);
    expect(window[0]?.role).toBe('user');
    expect(window.map((t) => t.seq)).toEqual([3, 4]);
    expect(tokens).toBe(20);
  });

  it('drops several leading assistant turns and keeps the token count consistent', () => {
    const all = turns(['user', 5], ['assistant', 5], ['assistant', 5], ['user', 5], ['assistant', 5]);
    const { window, tokens } = selectHistoryWindow(all, 20);
    expect(window.map((t) => t.seq)).toEqual([4, 5]);
    expect(tokens).toBe(window.reduce((sum, t) => sum + estimateTokens(t.text), 0));
  });

  it('returns an empty window when only assistant turns fit', () => {
    const all = turns(['user', 10], ['assistant', 10]);
    expect(selectHistoryWindow(all, 15)).toEqual({ window: [], tokens: 0 });
  });

  it('returns an empty window for a zero budget', () => {
    const all = turns(['user', 1], ['assistant', 1]);
    expect(selectHistoryWindow(all, 0)).toEqual({ window: [], tokens: 0 });
  });

  it('returns an empty window for no turns', () => {
    expect(selectHistoryWindow([], 100)).toEqual({ window: [], tokens: 0 });
  });

  it('returns an empty window when the newest turn alone exceeds the budget', () => {
    const all = turns(['user', 1], ['assistant', 1], ['user', 100]);
    expect(selectHistoryWindow(all, 50)).toEqual({ window: [], tokens: 0 });
  });

  it('does not reorder or mutate the input', () => {
    const all = turns(['user', 10], ['assistant', 10], ['user', 10]);
    const snapshot = structuredClone(all);
    selectHistoryWindow(all, 15);
    expect(all).toEqual(snapshot);
  });
});
