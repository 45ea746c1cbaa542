/**
 * Options of both transports and their defaults, resolved once into the settings the consumer loop runs with.
 */
import { assertSigningSecrets, envelopeFreshness } from '../contracts/esper/envelope-signing';
import type { OonaStream, TransportCounters } from '../contracts/esper/transport';

/** Something worth a log line: a drop, a rejection, a failed attempt, a dead letter, a reclaim. */
export interface TransportIncident {
  counter: keyof TransportCounters;
  stream: OonaStream;
  entryId: string;
  detail: string;
}

/** Options both transports accept; only `secrets` is required. */
export interface TransportOptions {
  /** Shared HMAC secrets; all verify, so a rotation can overlap (at least 32 characters each). */
  secrets: readonly string[];
  /** Failed attempts before an entry is dead-lettered (Oona: 5). */
  maxAttempts?: number;
  /** Wait before the first retry of a failed entry; doubles per attempt up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** An entry another consumer held this long without acknowledging is taken over (Oona: ~60 s). */
  reclaimIdleMs?: number;
  /** Longest a read waits for new entries; also bounds how long a close waits for an idle loop. */
  blockMs?: number;
  /** Entries read (or claimed) per stream per round. */
  batchSize?: number;
  /** After close, how long a running handler may finish (and be acknowledged) before the loop gives up on it. */
  shutdownGraceMs?: number;
  freshness?: Partial<typeof envelopeFreshness>;
  /** Milliseconds since the epoch; injected by tests. */
  clock?: () => number;
  /** A round failed (Redis unreachable, …); the loop waits and tries again. */
  onError?: (error: unknown, during: string) => void;
  onIncident?: (incident: TransportIncident) => void;
}

/** `TransportOptions` with every default applied, as the consumer loop reads them. */
export interface ConsumerSettings {
  secrets: readonly string[];
  maxAttempts: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  reclaimIdleMs: number;
  /** How often to look for other consumers' stuck entries. */
  reclaimScanIntervalMs: number;
  blockMs: number;
  batchSize: number;
  shutdownGraceMs: number;
  /** Pause after a failed round, so an unreachable Redis is not hammered. */
  errorBackoffMs: number;
  freshness: typeof envelopeFreshness;
  clock: () => number;
  onError: (error: unknown, during: string) => void;
  onIncident: (incident: TransportIncident) => void;
}

/** Applies defaults and checks the options; throws on a configuration error. */
export function resolveConsumerSettings(options: TransportOptions): ConsumerSettings {
  assertSigningSecrets(options.secrets);
  const reclaimIdleMs = positive('reclaimIdleMs', options.reclaimIdleMs ?? 60_000);
  const retryDelayMs = positive('retryDelayMs', options.retryDelayMs ?? 1_000);
  return {
    secrets: [...options.secrets],
    maxAttempts: positive('maxAttempts', options.maxAttempts ?? 5),
    retryDelayMs,
    // A retry must come before peers would take the entry over as abandoned by a dead consumer.
    maxRetryDelayMs: Math.max(retryDelayMs, Math.min(options.maxRetryDelayMs ?? 30_000, reclaimIdleMs / 2)),
    reclaimIdleMs,
    reclaimScanIntervalMs: Math.max(50, Math.floor(reclaimIdleMs / 4)),
    blockMs: positive('blockMs', options.blockMs ?? 1_000),
    batchSize: positive('batchSize', options.batchSize ?? 10),
    shutdownGraceMs: Math.max(0, options.shutdownGraceMs ?? 10_000),
    errorBackoffMs: 1_000,
    freshness: { ...envelopeFreshness, ...options.freshness },
    clock: options.clock ?? Date.now,
    onError: options.onError ?? (() => undefined),
    onIncident: options.onIncident ?? (() => undefined),
  };
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

/** Delay before retrying an entry that failed on its `deliveries`-th delivery: exponential, capped. */
export function retryDelayAfter(settings: ConsumerSettings, deliveries: number): number {
  return Math.min(settings.retryDelayMs * 2 ** Math.max(0, deliveries - 1), settings.maxRetryDelayMs);
}
