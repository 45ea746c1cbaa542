/**
 * The two transports under one test fixture: Oona on the machine's real Redis (each bus under its own key
 * prefix, deleted afterwards) and the in-process bus. Options are short (retries in tens of ms, reclaim after
 * 1 s) so the behaviours show within a test.
 */
import { randomUUID } from 'node:crypto';
import type { EsperEnvelope } from '../../contracts/esper/envelope';
import { sealEsperMessage, signEnvelope } from '../../contracts/esper/envelope-signing';
import type { EsperMessageByKind, EsperMessageKind } from '../../contracts/esper/registry';
import type { EsperTransport } from '../../contracts/esper/transport';
import type { TransportOptions } from '../../bus/consumer-settings';
import { createInProcessTransport, InProcessStreamStore } from '../../bus/in-process-bus';
import { createOonaRedisTransport, RedisStreamBackend } from '../../bus/oona-redis';
import type { StreamBackend } from '../../bus/stream-backend';
import { connectTestRedis, deleteKeys, ensureRedis, uniqueKeyPrefix } from '../support/redis';

export const TEST_SECRET = 'test-oona-secret-0123456789abcdef';

export interface TestBus {
  /** A transport on this bus; several may share it, like processes sharing one Redis. */
  transport(options?: Partial<TransportOptions>): EsperTransport;
  /** The raw streams: to act as a consumer that dies holding an entry, and to look at pending entries. */
  backend: StreamBackend;
  /** Errors the consumer loops reported (a healthy run has none). */
  loopErrors: unknown[];
  cleanup(): Promise<void>;
}

function testOptions(loopErrors: unknown[]): TransportOptions {
  return {
    secrets: [TEST_SECRET],
    retryDelayMs: 20,
    reclaimIdleMs: 1_000,
    blockMs: 100,
    shutdownGraceMs: 500,
    onError: (error) => loopErrors.push(error),
  };
}

/** Both implementations, for `describe.each`. */
export const testBuses: { name: string; open: () => Promise<TestBus> }[] = [
  {
    name: 'Oona on Redis',
    open: async () => {
      await ensureRedis();
      const redis = connectTestRedis();
      const keyPrefix = uniqueKeyPrefix();
      const loopErrors: unknown[] = [];
      return {
        transport: (options) => createOonaRedisTransport(redis, { ...testOptions(loopErrors), ...options, keyPrefix }),
        backend: new RedisStreamBackend(redis, keyPrefix, 1_000),
        loopErrors,
        cleanup: async () => {
          await deleteKeys(redis, keyPrefix);
          redis.disconnect();
        },
      };
    },
  },
  {
    name: 'in-process bus',
    open: async () => {
      const store = new InProcessStreamStore();
      const loopErrors: unknown[] = [];
      return {
        transport: (options) => createInProcessTransport({ ...testOptions(loopErrors), ...options }, store),
        backend: store,
        loopErrors,
        cleanup: async () => undefined,
      };
    },
  },
];

/** A freshly signed envelope with a unique id; `overrides` are applied before signing (still a valid signature). */
export function sealed<K extends EsperMessageKind>(
  kind: K,
  payload: EsperMessageByKind[K],
  overrides: Partial<EsperEnvelope> = {},
): EsperEnvelope {
  const envelope = sealEsperMessage({ kind, payload, id: `msg-${randomUUID()}`, origin: 'tamiyo', sentAt: new Date() }, TEST_SECRET);
  return Object.keys(overrides).length === 0 ? envelope : signEnvelope({ ...envelope, ...overrides }, TEST_SECRET);
}
