/**
 * Oona on Redis Streams: the transport to a real Esper deployment. Consumer groups give at-least-once delivery;
 * the pending-entries list is the attempt counter (XPENDING delivery counts, raised by each XCLAIM); envelope
 * ids seen by a group are remembered in Redis for the replay window, so every consumer of the group shares them.
 */
import type Redis from 'ioredis';
import type { EsperTransport, OonaStream } from '../contracts/esper/transport';
import type { TransportOptions } from './consumer-settings';
import { streamIdTime, type PendingEntry, type Sighting, type StreamBackend, type StreamEntry, type StreamReader } from './stream-backend';
import { createStreamTransport } from './stream-transport';

/** Oona's options: the shared transport options plus where its keys live. */
export interface OonaRedisOptions extends TransportOptions {
  /** Prepended to every key (streams and replay ids), e.g. `test-<uuid>:` so test runs never collide. */
  keyPrefix?: string;
  /** Streams are trimmed to about this many entries (XADD MAXLEN ~). */
  maxStreamLength?: number;
}

/**
 * The Oona transport on `redis` (which the caller owns and closes). Each consumer opens one extra connection
 * for its blocking reads, closed when the consumer stops.
 */
export function createOonaRedisTransport(redis: Redis, options: OonaRedisOptions): EsperTransport {
  return createStreamTransport(new RedisStreamBackend(redis, options.keyPrefix ?? '', options.maxStreamLength ?? 100_000), options);
}

/**
 * Atomically: remember which entry first carried an envelope id, and tell a retry of that entry (`same_entry`)
 * from another entry carrying the same id (`duplicate`: a replay or a double publish).
 */
const RECORD_SIGHTING = `
local first = redis.call('GET', KEYS[1])
if not first then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 'first'
end
if first == ARGV[1] then return 'same_entry' end
return 'duplicate'`;

/** The Redis Streams commands behind the consumer loop. */
export class RedisStreamBackend implements StreamBackend {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly maxStreamLength: number,
  ) {}

  private key(stream: OonaStream): string {
    return this.keyPrefix + stream;
  }

  async append(stream: OonaStream, fields: Record<string, string>): Promise<string> {
    const args = ['MAXLEN', '~', this.maxStreamLength, '*', ...Object.entries(fields).flat()];
    return String(await this.redis.call('XADD', this.key(stream), ...args));
  }

  async ensureGroup(stream: OonaStream, group: string): Promise<void> {
    try {
      // From id 0, not $: entries published before the group existed must not be lost.
      await this.redis.call('XGROUP', 'CREATE', this.key(stream), group, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
    }
  }

  openReader(signal: AbortSignal): StreamReader {
    // A blocking XREADGROUP holds its connection, so each reader has its own; closing it ends a pending read.
    const connection = this.redis.duplicate();
    const close = () => connection.disconnect();
    signal.addEventListener('abort', close, { once: true });
    return {
      readNew: async (streams, group, consumer, { count, blockMs }) => {
        const block = blockMs > 0 ? ['BLOCK', Math.ceil(blockMs)] : [];
        const keys = streams.map((stream) => this.key(stream));
        const reply = await connection.call(
          'XREADGROUP',
          'GROUP',
          group,
          consumer,
          'COUNT',
          count,
          ...block,
          'STREAMS',
          ...keys,
          ...keys.map(() => '>'),
        );
        return ((reply ?? []) as [string, RawEntry[]][]).flatMap(([key, entries]) => {
          const stream = streams[keys.indexOf(key)]!;
          return entries.flatMap((raw) => toEntry(stream, raw));
        });
      },
      close: async () => {
        signal.removeEventListener('abort', close);
        close();
      },
    };
  }

  async listPending(
    stream: OonaStream,
    group: string,
    options: { minIdleMs: number; count: number; consumer?: string },
  ): Promise<PendingEntry[]> {
    const owner = options.consumer === undefined ? [] : [options.consumer];
    const reply = (await this.redis.call(
      'XPENDING',
      this.key(stream),
      group,
      'IDLE',
      Math.floor(options.minIdleMs),
      '-',
      '+',
      options.count,
      ...owner,
    )) as [string, string, number, number][];
    return reply.map(([entryId, consumer, idleMs, deliveries]) => ({
      stream,
      entryId,
      consumer,
      idleMs: Number(idleMs),
      deliveries: Number(deliveries),
    }));
  }

  async claim(stream: OonaStream, group: string, consumer: string, minIdleMs: number, entryIds: readonly string[]): Promise<StreamEntry[]> {
    if (entryIds.length === 0) return [];
    const reply = (await this.redis.call(
      'XCLAIM',
      this.key(stream),
      group,
      consumer,
      Math.floor(minIdleMs),
      ...entryIds,
    )) as (RawEntry | null)[];
    // Redis < 7 answers nil for entries deleted from the stream; 7+ leaves them out. Either way: gone.
    return reply.flatMap((raw) => (raw ? toEntry(stream, raw) : []));
  }

  async touch(stream: OonaStream, group: string, consumer: string, entryIds: readonly string[]): Promise<void> {
    if (entryIds.length === 0) return;
    // JUSTID: resets the idle time without counting a delivery.
    await this.redis.call('XCLAIM', this.key(stream), group, consumer, 0, ...entryIds, 'JUSTID');
  }

  async ack(stream: OonaStream, group: string, entryId: string): Promise<void> {
    await this.redis.call('XACK', this.key(stream), group, entryId);
  }

  async deadLetter(stream: OonaStream, group: string, entryId: string, fields: Record<string, string>): Promise<void> {
    const results = await this.redis
      .multi()
      .xadd(this.key('oona.deadletter'), 'MAXLEN', '~', this.maxStreamLength, '*', ...Object.entries(fields).flat())
      .xack(this.key(stream), group, entryId)
      .exec();
    const failure = results?.find(([error]) => error)?.[0];
    if (failure || !results) throw failure ?? new Error('dead-letter transaction was aborted');
  }

  async recordSighting(group: string, envelopeId: string, entryRef: string, ttlMs: number): Promise<Sighting> {
    const key = `${this.keyPrefix}oona.seen:${group}:${envelopeId}`;
    return (await this.redis.eval(RECORD_SIGHTING, 1, key, entryRef, Math.ceil(ttlMs))) as Sighting;
  }

  async newest(stream: OonaStream, count: number): Promise<StreamEntry[]> {
    const reply = (await this.redis.call('XREVRANGE', this.key(stream), '+', '-', 'COUNT', count)) as RawEntry[];
    return reply.flatMap((raw) => toEntry(stream, raw));
  }
}

/** An entry as Redis returns it: `[id, [field, value, field, value, …]]` (fields nil once deleted). */
type RawEntry = [string, string[] | null];

function toEntry(stream: OonaStream, [entryId, flat]: RawEntry): StreamEntry[] {
  if (!flat) return [];
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return [{ stream, entryId, fields, acceptedAtMs: streamIdTime(entryId) }];
}
