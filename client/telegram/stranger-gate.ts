/**
 * Strangers are refused at the channel, before anything durable starts: no session, no message workflow. Each
 * gets one notice an hour, whichever relay process took the update: the decision is an atomic update of the
 * relay's shared store, so when two processes race, only the one whose record was stored sends it.
 */
import { claimOncePerWindow } from '../../stores/window-claim';
import type { StateStore } from '../../stores/state-store';

/** A stranger is told at most once in this long. */
export const STRANGER_NOTICE_INTERVAL_MS = 60 * 60 * 1000;

/** Claims the stranger's notice for now; true means: send it (nobody did within the interval). */
export async function claimStrangerNotice(store: StateStore, channel: string, userId: string, now = Date.now()): Promise<boolean> {
  return (await claimOncePerWindow(store, `stranger-notice:${channel}:${userId}`, STRANGER_NOTICE_INTERVAL_MS, now)).claimed;
}
