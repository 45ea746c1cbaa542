/**
 * One poller per bot token across the whole relay. Telegram answers a second concurrent `getUpdates` with 409
 * Conflict, so when several `relay up` processes share a token, only the holder of a lease in the shared store
 * polls; the others stand by and take over once the holder's lease runs out (it died) or is released (it stopped).
 */
import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Leases } from '../../stores/state-store';

export interface PollerLeaseOptions {
  leases: Leases;
  /** The bot token: the lease is named by a hash of it, never the token itself. */
  token: string;
  /** How long a lease lasts unless renewed; it is renewed (or tried for) every third of this. */
  ttlMs: number;
  log: Logger;
  /** Starts polling; resolves once polling runs. */
  startPolling(): Promise<void>;
  /** Stops polling; resolves once no more updates are taken. */
  stopPolling(): Promise<void>;
}

export interface PollerLease {
  /** Whether this process polls right now. */
  isPolling(): boolean;
  /** Stops polling (if it did) and releases the lease, so a standby takes over at once. */
  stop(): Promise<void>;
}

/** The lease's name for a bot token: a hash, so the token is never stored. */
export const pollerLeaseName = (token: string) => `telegram-poller:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;

/** Polls while this process holds the lease, stands by while another does; checks every `ttlMs / 3`. */
export function holdPollerLease(options: PollerLeaseOptions): PollerLease {
  const { leases, ttlMs, log } = options;
  const name = pollerLeaseName(options.token);
  const holder = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let polling = false;
  let stopped = false;
  let standingBySaid = false;
  let lastHeldAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let checking: Promise<void> = Promise.resolve();

  const check = async () => {
    let held: boolean;
    try {
      held = await leases.tryAcquire(name, holder, ttlMs);
      if (held) lastHeldAt = Date.now();
    } catch (error) {
      // The store is unreachable: keep polling only while the last renewal is surely still valid.
      held = polling && Date.now() - lastHeldAt < (ttlMs * 2) / 3;
      log.warn({ err: error, polling: held }, 'could not renew the Telegram poller lease');
    }
    if (stopped) return;
    if (held && !polling) {
      polling = true;
      standingBySaid = false;
      await options.startPolling();
      log.info({ holder }, 'this process polls Telegram (it holds the poller lease)');
    } else if (!held && polling) {
      polling = false;
      log.warn({ holder }, 'lost the Telegram poller lease; stopping polling and standing by');
      await options.stopPolling();
    } else if (!held && !standingBySaid) {
      standingBySaid = true;
      log.info({ holder }, 'another relay process polls Telegram for this bot; standing by to take over');
    }
  };
  const loop = async () => {
    checking = check().catch((error: Error) => log.error({ err: error }, 'Telegram poller lease check failed'));
    await checking;
    if (!stopped) timer = setTimeout(() => void loop(), Math.max(200, ttlMs / 3));
  };
  void loop();

  return {
    isPolling: () => polling,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await checking; // a check under way may be starting to poll
      if (polling) {
        polling = false;
        await options.stopPolling();
      }
      await leases.release(name, holder).catch((error: Error) => log.warn({ err: error }, 'could not release the Telegram poller lease'));
    },
  };
}
