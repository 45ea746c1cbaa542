import { randomUUID } from 'node:crypto';
import type { StateStore } from './state-store';

interface WindowClaim {
  claimedAt: number;
  /** Who claimed this window: only that caller acts. */
  claimedBy: string;
}

/** A claim on `key` for one window: `claimed` says whether this caller may act; `release` undoes an unused claim. */
export interface ClaimResult {
  claimed: boolean;
  /** Gives the window back (the action failed), unless someone else has claimed it since. */
  release(): Promise<void>;
}

/**
 * Claims "do it once per `windowMs`" for `key` with one atomic update of the shared store, so when several callers
 * race — in one process or across every relay process — exactly one wins. Each caller writes its own random id;
 * the one whose id was stored acts (this also holds if the store re-runs the update).
 */
export async function claimOncePerWindow(store: StateStore, key: string, windowMs: number, now: number): Promise<ClaimResult> {
  const claim: WindowClaim = { claimedAt: now, claimedBy: randomUUID() };
  let before: WindowClaim | undefined;
  const stored = await store.update<WindowClaim>(key, (current) => {
    before = current;
    return current && now - current.claimedAt < windowMs ? current : claim;
  });
  const claimed = stored.claimedBy === claim.claimedBy;
  return {
    claimed,
    release: async () => {
      if (!claimed) return;
      // Back to what was there (or an expired claim), so the next caller may act.
      await store.update<WindowClaim>(key, (current) =>
        current?.claimedBy === claim.claimedBy ? (before ?? { claimedAt: now - windowMs, claimedBy: 'released' }) : current!,
      );
    },
  };
}
