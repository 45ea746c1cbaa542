/**
 * What happens to one delivered entry, in order: decode → verify signature → freshness → replay/duplicate →
 * delivery limit → parse (and upcast) → handler → acknowledge. Entries that can never succeed are acknowledged
 * at once (dropped if unauthenticated, dead-lettered if authentic but unreadable); a failing handler leaves the
 * entry pending for a retry until its last attempt, which dead-letters it.
 */
import { decodeEnvelope, parseEnvelopePayload } from '../contracts/esper/envelope';
import { verifyEnvelope } from '../contracts/esper/envelope-signing';
import type { DeadLetterReason, EsperDelivery, EsperHandler, TransportCounters } from '../contracts/esper/transport';
import type { ConsumerSettings } from './consumer-settings';
import type { StreamBackend, StreamEntry } from './stream-backend';

/** Everything one consumer loop shares with the processing of its entries. */
export interface ConsumerContext {
  backend: StreamBackend;
  settings: ConsumerSettings;
  counters: TransportCounters;
  group: string;
  consumer: string;
  handler: EsperHandler;
  signal: AbortSignal;
}

const MAX_ERROR_CHARS = 2_000;

/** Handles one entry delivered for the `attempt`-th time. Throws only when the bus itself fails. */
export async function processEntry(context: ConsumerContext, entry: StreamEntry, attempt: number): Promise<void> {
  const { backend, settings, group } = context;
  const note = (counter: keyof TransportCounters, detail: string) => {
    context.counters[counter] += 1;
    settings.onIncident({ counter, stream: entry.stream, entryId: entry.entryId, detail });
  };
  const ack = () => backend.ack(entry.stream, group, entry.entryId);
  /** Unauthenticated or repeated: acknowledged and forgotten, only counted. */
  const drop = async (counter: keyof TransportCounters, detail: string) => {
    note(counter, detail);
    await ack();
  };
  const deadLetter = async (reason: DeadLetterReason, error: string, attempts: number) => {
    await backend.deadLetter(entry.stream, group, entry.entryId, {
      reason,
      error: error.slice(0, MAX_ERROR_CHARS),
      stream: entry.stream,
      originalEntryId: entry.entryId,
      group,
      consumer: context.consumer,
      attempts: String(attempts),
      deadLetteredAt: new Date(settings.clock()).toISOString(),
      envelope: entry.fields.envelope ?? '',
    });
    note('deadLettered', `${reason}: ${error}`);
  };

  const decoded =
    entry.fields.envelope === undefined
      ? { ok: false as const, detail: 'entry has no envelope field' }
      : decodeEnvelope(entry.fields.envelope);
  if (!decoded.ok) return drop('droppedMalformed', decoded.detail);
  const { envelope } = decoded;

  // Freshness is judged at the time the bus accepted the entry, not now: a retry or a reclaim minutes later is
  // the same entry and still genuine, while a replay is a new entry whose sentAt is old.
  const verdict = verifyEnvelope(envelope, { secrets: settings.secrets, nowMs: entry.acceptedAtMs, ...settings.freshness });
  if (!verdict.ok) return drop(verdict.reason === 'bad_signature' ? 'droppedBadSignature' : 'droppedStale', verdict.detail);

  const sighting = await backend.recordSighting(group, envelope.id, `${entry.stream}/${entry.entryId}`, settings.freshness.replayWindowMs);
  if (sighting === 'duplicate') return drop('droppedDuplicate', `envelope id ${envelope.id} was already seen in another entry`);

  if (attempt > settings.maxAttempts) {
    // Delivered that often without an acknowledgement: its consumers died holding it, perhaps because of it.
    return deadLetter('max_deliveries', `delivered ${attempt - 1} times without being acknowledged`, attempt - 1);
  }

  const parsed = parseEnvelopePayload(envelope);
  if (!parsed.ok) {
    const counter = ({ unknown_kind: 'rejectedUnknownKind', future_version: 'rejectedFutureVersion', invalid: 'rejectedInvalid' } as const)[
      parsed.reason
    ];
    note(counter, parsed.detail);
    return deadLetter(parsed.reason, parsed.detail, attempt);
  }
  // Counted once per entry, not again on each retry.
  if (parsed.upcastFrom !== undefined && attempt === 1) note('upcasted', `${envelope.kind} upcast from version ${parsed.upcastFrom}`);

  const { kind, message, upcastFrom } = parsed;
  const delivery = { kind, message, upcastFrom, stream: entry.stream, entryId: entry.entryId, envelope, attempt } as EsperDelivery;
  const outcome = await runHandler(context, entry, delivery);
  if (outcome.status === 'done') {
    await ack();
    context.counters.handled += 1;
    return;
  }
  // Abandoned at shutdown: the entry stays pending, for this consumer after a restart or for a peer's reclaim.
  if (outcome.status === 'abandoned') return;

  const error = describeError(outcome.error);
  note('handlerFailures', `attempt ${attempt} of ${settings.maxAttempts}: ${error}`);
  if (attempt >= settings.maxAttempts) return deadLetter('handler_failed', error, attempt);
  // Reset the idle time so the retry delay counts from this failure, not from the delivery.
  await backend.touch(entry.stream, group, context.consumer, [entry.entryId]);
}

type HandlerOutcome = { status: 'done' } | { status: 'failed'; error: unknown } | { status: 'abandoned' };

/** Runs the handler, keeping the entry visibly alive (so peers do not reclaim it) while it works. */
async function runHandler(context: ConsumerContext, entry: StreamEntry, delivery: EsperDelivery): Promise<HandlerOutcome> {
  const { backend, settings, group, consumer, signal } = context;
  const heartbeat = setInterval(
    () =>
      void backend.touch(entry.stream, group, consumer, [entry.entryId]).catch((error: unknown) => settings.onError(error, 'heartbeat')),
    Math.max(20, Math.floor(settings.reclaimIdleMs / 3)),
  );
  try {
    const work = Promise.resolve()
      .then(() => context.handler(delivery, signal))
      .then(
        (): HandlerOutcome => ({ status: 'done' }),
        (error: unknown): HandlerOutcome => ({ status: 'failed', error }),
      );
    return await settleWithinGrace(work, signal, settings.shutdownGraceMs);
  } finally {
    clearInterval(heartbeat);
  }
}

/** `work`'s outcome, or `abandoned` when `signal` aborted and `graceMs` passed without one. */
function settleWithinGrace(work: Promise<HandlerOutcome>, signal: AbortSignal, graceMs: number): Promise<HandlerOutcome> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => resolve({ status: 'abandoned' }), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    void work.then((outcome) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    });
  });
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
}
