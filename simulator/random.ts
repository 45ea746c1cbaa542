/**
 * Seeded randomness for the simulator. Each job draws from its own generator, derived from the seed and the
 * job's key, so a job's outcome depends only on the seed and the job, never on the order requests arrive in.
 */

/** Numbers in [0, 1), like `Math.random`. */
export type Random = () => number;

/** mulberry32: tiny, fast, and good enough for simulated outcomes. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generator of one job: the same `seed` and `key` always give the same sequence. */
export function randomFor(seed: number, key: string): Random {
  // FNV-1a of the key, mixed with the seed.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return seededRandom((hash ^ Math.imul(seed, 0x9e3779b1)) >>> 0);
}

/** `digits` lower-case hex digits drawn from `random`. */
export function randomHex(random: Random, digits: number): string {
  let text = '';
  for (let i = 0; i < digits; i += 1) text += Math.floor(random() * 16).toString(16);
  return text;
}

/** A whole number of ms around `meanMs`, ±`spread` of it. */
export function jitter(random: Random, meanMs: number, spread = 0.2): number {
  return Math.max(1, Math.round(meanMs * (1 + (random() * 2 - 1) * spread)));
}
