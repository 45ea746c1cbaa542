/**
 * The few stream operations the consumer loop needs, modelled on Redis Streams. Redis implements them with
 * XADD/XREADGROUP/XPENDING/XCLAIM/XACK; the in-process bus imitates the same semantics in memory. Because both
 * transports share one consumer loop over this interface, they cannot drift apart in behaviour.
 */
import type { OonaStream } from '../contracts/esper/transport';

/** An entry as the bus stores it: flat string fields (`envelope` for messages). */
export interface StreamEntry {
  stream: OonaStream;
  entryId: string;
  fields: Record<string, string>;
  /** When the bus accepted the entry (the millisecond part of a Redis stream id). */
  acceptedAtMs: number;
}

/** An entry delivered to a consumer of a group and not yet acknowledged. */
export interface PendingEntry {
  stream: OonaStream;
  entryId: string;
  consumer: string;
  /** Time since it was last delivered (or touched). */
  idleMs: number;
  /** How often it was delivered, this delivery included. */
  deliveries: number;
}

/** Reads new entries for one consumer; separate because a blocking read occupies a Redis connection. */
export interface StreamReader {
  /** New entries (never delivered to the group) of `streams`, waiting up to `blockMs` when there are none. */
  readNew(
    streams: readonly OonaStream[],
    group: string,
    consumer: string,
    options: { count: number; blockMs: number },
  ): Promise<StreamEntry[]>;
  close(): Promise<void>;
}

/** What a second sighting of an envelope id means: the same entry retried, or another entry with that id. */
export type Sighting = 'first' | 'same_entry' | 'duplicate';

/** A bus with Redis Streams semantics; every method may throw when the bus itself fails. */
export interface StreamBackend {
  append(stream: OonaStream, fields: Record<string, string>): Promise<string>;
  /** Creates the consumer group (from the start of the stream) unless it exists. */
  ensureGroup(stream: OonaStream, group: string): Promise<void>;
  /** A reader whose pending read ends early when `signal` aborts. */
  openReader(signal: AbortSignal): StreamReader;
  /** Pending entries idle at least `minIdleMs`, oldest first; only `consumer`'s when given. */
  listPending(stream: OonaStream, group: string, options: { minIdleMs: number; count: number; consumer?: string }): Promise<PendingEntry[]>;
  /**
   * Takes over entries still idle at least `minIdleMs` (another consumer may have claimed one meanwhile) and
   * counts a delivery for each. Entries deleted from the stream are dropped from the pending list.
   */
  claim(stream: OonaStream, group: string, consumer: string, minIdleMs: number, entryIds: readonly string[]): Promise<StreamEntry[]>;
  /** Resets the idle time of entries `consumer` holds without counting a delivery (a heartbeat, or after a failure). */
  touch(stream: OonaStream, group: string, consumer: string, entryIds: readonly string[]): Promise<void>;
  ack(stream: OonaStream, group: string, entryId: string): Promise<void>;
  /** Appends `fields` to the dead-letter stream and acknowledges the entry, atomically. */
  deadLetter(stream: OonaStream, group: string, entryId: string, fields: Record<string, string>): Promise<void>;
  /**
   * Records that `group` saw envelope `envelopeId` in entry `entryRef`, for `ttlMs`, and says whether it had
   * seen that id before, in this entry or another one.
   */
  recordSighting(group: string, envelopeId: string, entryRef: string, ttlMs: number): Promise<Sighting>;
  /** The newest entries of `stream` first. */
  newest(stream: OonaStream, count: number): Promise<StreamEntry[]>;
}

/** Milliseconds of a stream id `1700000000000-0`. */
export function streamIdTime(entryId: string): number {
  return Number(entryId.slice(0, entryId.indexOf('-')));
}
