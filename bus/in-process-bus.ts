/**
 * The in-process bus for the embedded default (no Redis): the same stream, consumer-group and pending-entry
 * semantics as Oona on Redis, kept in memory, so the one consumer loop behaves identically on both. Entries are
 * lost with the process; durability starts once a handler has handed the work to Temporal.
 */
import { oonaStreams, type EsperTransport, type OonaStream } from '../contracts/esper/transport';
import type { TransportOptions } from './consumer-settings';
import type { PendingEntry, Sighting, StreamBackend, StreamEntry, StreamReader } from './stream-backend';
import { createStreamTransport } from './stream-transport';

/** The shared transport options plus the in-memory stream bound. */
export interface InProcessBusOptions extends TransportOptions {
  /** Oldest entries are dropped beyond this many per stream, as Redis trims with MAXLEN. */
  maxStreamLength?: number;
}

/** An in-memory Oona; pass `store` to share one bus between several transports (e.g. a publisher and a consumer). */
export function createInProcessTransport(options: InProcessBusOptions, store?: InProcessStreamStore): EsperTransport {
  return createStreamTransport(
    store ?? new InProcessStreamStore({ clock: options.clock, maxStreamLength: options.maxStreamLength }),
    options,
  );
}

interface Delivery {
  consumer: string;
  deliveries: number;
  deliveredAtMs: number;
}

interface StreamState {
  /** In append order, so `seq` ascends: a group's new entries are found by binary search. */
  entries: { seq: number; entry: StreamEntry }[];
  byId: Map<string, StreamEntry>;
  /** Per group: the last sequence number delivered, and the deliveries not yet acknowledged. */
  groups: Map<string, { lastSeq: number; pending: Map<string, Delivery> }>;
}

/** The in-memory streams. Public so tests can act as a consumer that dies holding an entry. */
export class InProcessStreamStore implements StreamBackend {
  private readonly streams = new Map<OonaStream, StreamState>();
  private readonly sightings = new Map<string, { entryRef: string; expiresAtMs: number }>();
  private readonly wakeUps = new Set<() => void>();
  private readonly clock: () => number;
  private readonly maxStreamLength: number;
  private seq = 0;

  constructor(options: { clock?: () => number; maxStreamLength?: number } = {}) {
    this.clock = options.clock ?? Date.now;
    this.maxStreamLength = options.maxStreamLength ?? 100_000;
  }

  private state(stream: OonaStream): StreamState {
    let state = this.streams.get(stream);
    if (!state) this.streams.set(stream, (state = { entries: [], byId: new Map(), groups: new Map() }));
    return state;
  }

  async append(stream: OonaStream, fields: Record<string, string>): Promise<string> {
    const state = this.state(stream);
    const acceptedAtMs = this.clock();
    const seq = ++this.seq;
    const entry: StreamEntry = { stream, entryId: `${acceptedAtMs}-${seq}`, fields: { ...fields }, acceptedAtMs };
    state.entries.push({ seq, entry });
    state.byId.set(entry.entryId, entry);
    while (state.entries.length > this.maxStreamLength) state.byId.delete(state.entries.shift()!.entry.entryId);
    for (const wake of [...this.wakeUps]) wake();
    return entry.entryId;
  }

  async ensureGroup(stream: OonaStream, group: string): Promise<void> {
    const state = this.state(stream);
    if (!state.groups.has(group)) state.groups.set(group, { lastSeq: 0, pending: new Map() });
  }

  private group(stream: OonaStream, group: string) {
    const found = this.state(stream).groups.get(group);
    if (!found) throw new Error(`NOGROUP no consumer group ${group} on ${stream}`);
    return found;
  }

  openReader(signal: AbortSignal): StreamReader {
    return {
      readNew: async (streams, group, consumer, { count, blockMs }) => {
        const taken = this.takeNew(streams, group, consumer, count);
        if (taken.length > 0 || blockMs <= 0 || signal.aborted) return taken;
        await this.waitForAppend(blockMs, signal);
        return signal.aborted ? [] : this.takeNew(streams, group, consumer, count);
      },
      close: async () => undefined,
    };
  }

  private takeNew(streams: readonly OonaStream[], group: string, consumer: string, count: number): StreamEntry[] {
    return streams.flatMap((stream) => {
      const state = this.state(stream);
      const cursor = this.group(stream, group);
      const start = firstIndexAfter(state.entries, cursor.lastSeq);
      const fresh = state.entries.slice(start, start + count);
      for (const { seq, entry } of fresh) {
        cursor.lastSeq = seq;
        cursor.pending.set(entry.entryId, { consumer, deliveries: 1, deliveredAtMs: this.clock() });
      }
      return fresh.map(({ entry }) => entry);
    });
  }

  private waitForAppend(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUps.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.wakeUps.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  async listPending(
    stream: OonaStream,
    group: string,
    options: { minIdleMs: number; count: number; consumer?: string },
  ): Promise<PendingEntry[]> {
    const now = this.clock();
    return [...this.group(stream, group).pending.entries()]
      .map(([entryId, d]) => ({ stream, entryId, consumer: d.consumer, idleMs: now - d.deliveredAtMs, deliveries: d.deliveries }))
      .filter((p) => p.idleMs >= options.minIdleMs && (options.consumer === undefined || p.consumer === options.consumer))
      .sort((a, b) => compareIds(a.entryId, b.entryId))
      .slice(0, options.count);
  }

  async claim(stream: OonaStream, group: string, consumer: string, minIdleMs: number, entryIds: readonly string[]): Promise<StreamEntry[]> {
    const { pending } = this.group(stream, group);
    const now = this.clock();
    return entryIds.flatMap((entryId) => {
      const delivery = pending.get(entryId);
      if (!delivery || now - delivery.deliveredAtMs < minIdleMs) return [];
      const entry = this.state(stream).byId.get(entryId);
      if (!entry) {
        pending.delete(entryId); // trimmed from the stream meanwhile, as XCLAIM does on Redis 7
        return [];
      }
      pending.set(entryId, { consumer, deliveries: delivery.deliveries + 1, deliveredAtMs: now });
      return [entry];
    });
  }

  async touch(stream: OonaStream, group: string, consumer: string, entryIds: readonly string[]): Promise<void> {
    const { pending } = this.group(stream, group);
    for (const entryId of entryIds) {
      const delivery = pending.get(entryId);
      if (delivery) pending.set(entryId, { ...delivery, consumer, deliveredAtMs: this.clock() });
    }
  }

  async ack(stream: OonaStream, group: string, entryId: string): Promise<void> {
    this.group(stream, group).pending.delete(entryId);
  }

  async deadLetter(stream: OonaStream, group: string, entryId: string, fields: Record<string, string>): Promise<void> {
    await this.append(oonaStreams.deadLetter, fields);
    await this.ack(stream, group, entryId);
  }

  async recordSighting(group: string, envelopeId: string, entryRef: string, ttlMs: number): Promise<Sighting> {
    const now = this.clock();
    // Insertion order is expiry order (one TTL for all), so expired sightings are always at the front.
    for (const [key, sighting] of this.sightings) {
      if (sighting.expiresAtMs > now) break;
      this.sightings.delete(key);
    }
    const key = `${group}\n${envelopeId}`;
    const first = this.sightings.get(key);
    if (!first) {
      this.sightings.set(key, { entryRef, expiresAtMs: now + ttlMs });
      return 'first';
    }
    return first.entryRef === entryRef ? 'same_entry' : 'duplicate';
  }

  async newest(stream: OonaStream, count: number): Promise<StreamEntry[]> {
    return this.state(stream)
      .entries.slice(-count)
      .map(({ entry }) => entry)
      .reverse();
  }
}

/** Index of the first entry with a sequence number above `seq`. */
function firstIndexAfter(entries: readonly { seq: number }[], seq: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (entries[middle]!.seq > seq) high = middle;
    else low = middle + 1;
  }
  return low;
}

function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(Number) as [number, number];
  const [bMs, bSeq] = b.split('-').map(Number) as [number, number];
  return aMs - bMs || aSeq - bSeq;
}
