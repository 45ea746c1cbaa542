/**
 * Strangers are refused at the channel, before anything durable starts: no session, no message workflow. Each
 * gets one notice an hour, whichever relay process took the update: the decision is an atomic update of the
 * relay's shared store, so when two processes race, only the one whose record was stored sends it.
 */
import { randomUUID } from 'node:crypto';
import type { StateStore } from '../../activities/stores/state-store';

/** A stranger is told at most once in this long. */
export const STRANGER_NOTICE_INTERVAL_MS = 60 * 60 * 1000;

interface StrangerNoticeRecord {
  notifiedAt: number;
  /** Who claimed this notice: only that caller sends it. */
  claimedBy: string;
}

/** Claims the stranger's notice for now; true means: send it (nobody did within the interval). */
export async function claimStrangerNotice(store: StateStore, channel: string, userId: string, now = Date.now()): Promise<boolean> {
  const claim = randomUUID();
  const record = await store.update<StrangerNoticeRecord>(`stranger-notice:${channel}:${userId}`, (current) =>
    current && now - current.notifiedAt < STRANGER_NOTICE_INTERVAL_MS ? current : { notifiedAt: now, claimedBy: claim },
  );
  return record.claimedBy === claim;
}
