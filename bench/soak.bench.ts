/**
 * Soak: rounds of messages through the real pipeline (dev server, worker, Claude double at 0 ms), with a full GC
 * after each round, printing the process's heap and RSS per round. A heap that keeps climbing after GC is a leak;
 * RSS that settles is V8 keeping memory it once needed. Bounded: `--rounds R` (default 8) × `--messages N`
 * (default 200) over `--chats M` (default 20), the same chats every round unless `--new-chats`; everything on
 * 127.0.0.1. `--heap-snapshots DIR` writes a heap snapshot after round 2 and after the last round.
 *
 *   node --expose-gc --import tsx bench/soak.bench.ts --rounds 8
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { NativeConnection } from '@temporalio/worker';
import { connectClient, temporalConnectionOptions } from '../workers/connect';
import { awaitOutcome, submitMessage } from '../client/ingress';
import { loadConfig } from '../contracts/config';
import { parseInboundMessage } from '../contracts/message';
import { startClaudeDouble } from '../doubles/claude-double';
import { startDevServer } from '../workers/dev-server';
import { createLogger, installTemporalLogging } from '../workers/logger';
import { resolveTemporalBinary } from '../workers/temporal-binary';
import { openRelayStore } from '../workers/store';
import { createRelayWorker } from '../workers/worker';

const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
  return value;
};
const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);

async function main(): Promise<void> {
  const rounds = option('rounds', 8);
  const messages = option('messages', 200);
  const chats = option('chats', 20);
  const newChats = process.argv.includes('--new-chats');
  // --heap-snapshots DIR: a snapshot after round 2's GC and after the last round's, to diff what stays alive.
  const snapshotAt = process.argv.indexOf('--heap-snapshots');
  const snapshotDir = snapshotAt >= 0 ? process.argv[snapshotAt + 1] : undefined;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc --import tsx bench/soak.bench.ts (a full GC per round is the point)');

  installTemporalLogging(createLogger({ logLevel: 'warn' }, 'soak'));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'relay-soak-'));
  const claude = await startClaudeDouble({ latencyMs: 0, keepRequests: 0 });
  const server = await startDevServer({
    binary: await resolveTemporalBinary({ searchPath: process.env.PATH }),
    namespace: 'default',
    port: 0,
    uiPort: false,
  });
  const config = loadConfig(
    {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: 'soak',
      RELAY_DATA_DIR: dataDir,
      ANTHROPIC_API_KEY: 'k',
      ANTHROPIC_BASE_URL: claude.url,
      RELAY_RATE_LIMIT: 'off',
      RELAY_LOG_LEVEL: 'warn',
    },
    '/nonexistent/.env',
  );
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const opened = await openRelayStore(config);
  const worker = await createRelayWorker(config, { connection, store: opened.store });
  const running = worker.run();
  const client = await connectClient(config);
  try {
    process.stdout.write(`soak: ${rounds} rounds × ${messages} messages over ${chats} chats (node ${process.version})\n`);
    process.stdout.write('round  messages  seconds  heap after GC (MB)  RSS after GC (MB)\n');
    for (let round = 1; round <= rounds; round++) {
      const started = Date.now();
      // --new-chats: new chats every round (their sessions stay open, idle, for 30 minutes); default: the same chats.
      const chatIds = Array.from({ length: chats }, (_, i) => String((newChats ? round * 1000 : 0) + i));
      await Promise.all(
        chatIds.map(async (chatId, c) => {
          const ids: string[] = [];
          for (let m = c; m < messages; m += chats) {
            const message = parseInboundMessage({
              channel: 'cli',
              chatId,
              userId: '1',
              messageId: randomUUID(),
              kind: 'text',
              text: `soak ${round}.${m}`,
              receivedAt: new Date().toISOString(),
            });
            ids.push(await submitMessage(client, config.temporal.taskQueue, message));
          }
          for (const id of ids) await awaitOutcome(client, id);
        }),
      );
      gc();
      if (snapshotDir && (round === 2 || round === rounds)) {
        process.stderr.write(`heap snapshot: ${writeHeapSnapshot(path.join(snapshotDir, `soak-round-${round}.heapsnapshot`))}\n`);
      }
      const { heapUsed, rss } = process.memoryUsage();
      const line = `${String(round).padStart(5)}  ${String(round * messages).padStart(8)}  ${((Date.now() - started) / 1000).toFixed(1).padStart(7)}  ${mb(heapUsed).padStart(18)}  ${mb(rss).padStart(17)}\n`;
      process.stdout.write(line);
    }
  } finally {
    worker.shutdown();
    await running.catch(() => undefined);
    await opened.close();
    await client.connection.close();
    await connection.close();
    await server.stop();
    await claude.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`soak: ${error.message}\n`);
    process.exit(1);
  },
);
