/**
 * One consumer's loop, shared by both transports. Each round: new emergency entries first (and only those, while
 * there are any), then this consumer's failed entries whose retry delay passed and other consumers' stuck
 * entries, then new entries of every stream (emergency first), waiting at most `blockMs` when idle. Entries
 * are handled one at a time, so the priority order is also the processing order.
 */
import { oonaStreams, consumableOonaStreams, type ConsumeOptions, type OonaStream } from '../contracts/esper/transport';
import { retryDelayAfter } from './consumer-settings';
import { processEntry, type ConsumerContext } from './process-entry';
import type { PendingEntry, StreamEntry } from './stream-backend';

interface Delivered {
  entry: StreamEntry;
  attempt: number;
}

/** Runs until `options.signal` aborts; resolves once the loop has stopped and its reader is closed. */
export async function runConsumerLoop(
  context: Omit<ConsumerContext, keyof ConsumeOptions | 'consumer'>,
  options: ConsumeOptions,
): Promise<void> {
  const streams = prioritise(options.streams);
  const ctx: ConsumerContext = {
    ...context,
    group: options.group,
    consumer: options.consumer,
    handler: options.handler,
    signal: options.signal,
  };
  const { backend, settings, signal } = ctx;
  const reader = backend.openReader(signal);
  let groupsReady = false;
  let nextReclaimScanAt = 0;
  try {
    while (!signal.aborted) {
      try {
        if (!groupsReady) {
          for (const stream of streams) await backend.ensureGroup(stream, ctx.group);
          groupsReady = true;
        }
        if (streams[0] === oonaStreams.emergency) {
          const urgent = await reader.readNew([oonaStreams.emergency], ctx.group, ctx.consumer, { count: settings.batchSize, blockMs: 0 });
          if (urgent.length > 0) {
            await handleAll(
              ctx,
              urgent.map((entry) => ({ entry, attempt: 1 })),
            );
            continue;
          }
        }
        const scanOthers = settings.clock() >= nextReclaimScanAt;
        if (scanOthers) nextReclaimScanAt = settings.clock() + settings.reclaimScanIntervalMs;
        const due = await claimDue(ctx, streams, scanOthers);
        await handleAll(ctx, due);
        if (signal.aborted) break;
        // Having just worked, only peek: a retry or an emergency entry may be due again before a full wait ends.
        const fresh = await reader.readNew(streams, ctx.group, ctx.consumer, {
          count: settings.batchSize,
          blockMs: due.length > 0 ? 0 : settings.blockMs,
        });
        await handleAll(
          ctx,
          inPriorityOrder(fresh, streams).map((entry) => ({ entry, attempt: 1 })),
        );
      } catch (error) {
        if (signal.aborted) break;
        // The stream may have been deleted (or Redis restarted without it): create the groups again next round.
        groupsReady = false;
        settings.onError(error, `consumer ${ctx.consumer} of group ${ctx.group}`);
        await sleep(settings.errorBackoffMs, signal);
      }
    }
  } finally {
    await reader.close();
  }
}

/** Emergency first, then the rest in the caller's order; refuses streams a consumer must not read. */
function prioritise(requested: readonly OonaStream[]): OonaStream[] {
  for (const stream of requested) {
    if (!consumableOonaStreams.includes(stream))
      throw new TypeError(`cannot consume ${JSON.stringify(stream)}: not a consumable Oona stream`);
  }
  if (requested.length === 0) throw new TypeError('consume needs at least one stream');
  const unique = [...new Set(requested)];
  return unique.includes(oonaStreams.emergency) ? [oonaStreams.emergency, ...unique.filter((s) => s !== oonaStreams.emergency)] : unique;
}

function inPriorityOrder(entries: StreamEntry[], streams: readonly OonaStream[]): StreamEntry[] {
  return [...entries].sort((a, b) => streams.indexOf(a.stream) - streams.indexOf(b.stream));
}

async function handleAll(ctx: ConsumerContext, delivered: readonly Delivered[]): Promise<void> {
  for (const { entry, attempt } of delivered) {
    // Entries not reached before close stay pending and are retried after a restart or reclaimed by a peer.
    if (ctx.signal.aborted) return;
    await processEntry(ctx, entry, attempt);
  }
}

/** This consumer's failed entries whose retry delay passed, and (when `scanOthers`) peers' stuck entries. */
async function claimDue(ctx: ConsumerContext, streams: readonly OonaStream[], scanOthers: boolean): Promise<Delivered[]> {
  const { backend, settings, group, consumer } = ctx;
  const claimed: Delivered[] = [];
  for (const stream of streams) {
    const own = await backend.listPending(stream, group, { minIdleMs: settings.retryDelayMs, count: settings.batchSize, consumer });
    const due = own.filter((pending) => pending.idleMs >= retryDelayAfter(settings, pending.deliveries));
    claimed.push(...(await claimEntries(ctx, stream, due, settings.retryDelayMs)));
    if (!scanOthers) continue;
    const idle = await backend.listPending(stream, group, { minIdleMs: settings.reclaimIdleMs, count: settings.batchSize });
    const stuck = idle.filter((pending) => pending.consumer !== consumer);
    const taken = await claimEntries(ctx, stream, stuck, settings.reclaimIdleMs);
    for (const { entry, attempt } of taken) {
      ctx.counters.reclaimed += 1;
      const from = stuck.find((pending) => pending.entryId === entry.entryId)?.consumer;
      settings.onIncident({ counter: 'reclaimed', stream, entryId: entry.entryId, detail: `taken over from ${from} (attempt ${attempt})` });
    }
    claimed.push(...taken);
  }
  return claimed;
}

async function claimEntries(
  ctx: ConsumerContext,
  stream: OonaStream,
  pending: readonly PendingEntry[],
  minIdleMs: number,
): Promise<Delivered[]> {
  if (pending.length === 0) return [];
  const entries = await ctx.backend.claim(
    stream,
    ctx.group,
    ctx.consumer,
    minIdleMs,
    pending.map((p) => p.entryId),
  );
  const deliveries = new Map(pending.map((p) => [p.entryId, p.deliveries]));
  // The claim counted one more delivery: that is this attempt's number.
  return entries.map((entry) => ({ entry, attempt: (deliveries.get(entry.entryId) ?? 0) + 1 }));
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
