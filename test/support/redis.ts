/**
 * The machine's real Redis for tests (127.0.0.1:6379). Machines of this kind start Redis at boot; when it is
 * not answering, this starts `redis-server` (no persistence) and waits for it, or fails saying what is missing.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';

export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;

/** A client that fails fast instead of queueing commands while Redis is down. */
export function connectTestRedis(port = REDIS_PORT): Redis {
  return new Redis({ host: REDIS_HOST, port, maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: true });
}

async function answersPing(port: number): Promise<boolean> {
  const probe = new Redis({
    host: REDIS_HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const checks = new Map<number, Promise<void>>();

/** Resolves once Redis answers PING on 127.0.0.1:`port`, starting it if needed (checked once per test process). */
export function ensureRedis(port = REDIS_PORT): Promise<void> {
  let check = checks.get(port);
  if (!check) checks.set(port, (check = startUnlessAnswering(port)));
  return check;
}

async function startUnlessAnswering(port: number): Promise<void> {
  if (await answersPing(port)) return;
  const address = `${REDIS_HOST}:${port}`;
  const started = spawnSync(
    'redis-server',
    ['--daemonize', 'yes', '--bind', REDIS_HOST, '--port', String(port), '--save', '', '--appendonly', 'no'],
    {
      encoding: 'utf8',
    },
  );
  if (started.error || started.status !== 0) {
    const why = started.error?.message ?? (started.stderr || started.stdout).trim();
    throw new Error(
      `Redis is not answering on ${address} and redis-server could not be started (${why}). ` +
        'Install it (Debian: apt-get install redis-server) or start Redis on that address.',
    );
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`redis-server was started but did not answer PING on ${address} within 10 s`);
}

/** A key prefix no other test (or run) uses, e.g. `test-<uuid>:`, so stream names never collide. */
export function uniqueKeyPrefix(): string {
  return `test-${randomUUID()}:`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
