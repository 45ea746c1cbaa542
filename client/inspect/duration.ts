/** Durations an operator types on the command line: `30m`, `24h`, `7d` (also `45s`, `2w`). */

const unitMs: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses `30m`, `24h`, `7d` into milliseconds, or throws an error that shows the expected form. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d{1,6})\s*([smhdw])\s*$/.exec(text);
  if (!match || Number(match[1]) === 0) throw new Error(`must look like 30m, 24h or 7d (a number and one of s, m, h, d, w); got "${text}"`);
  return Number(match[1]) * unitMs[match[2]!]!;
}

/** The instant `ms` before `now`, as the RFC 3339 text visibility queries compare times with. */
export function sinceInstant(ms: number, now = Date.now()): string {
  return new Date(now - ms).toISOString();
}
