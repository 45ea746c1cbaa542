/**
 * The bus interface both transports implement: Oona on Redis Streams (real Esper) and the in-process bus (the
 * embedded default). Types and stream names only; implementations live in `client/esper/`.
 */
import { z } from 'zod';
import type { EsperEnvelope } from './envelope';
import type { EsperMessage, EsperMessageKind } from './registry';

/** Oona's streams. `emergency` is always read first; `deadletter` receives what could not be handled. */
export const oonaStreams = {
  normal: 'oona.normal',
  emergency: 'oona.emergency',
  telemetry: 'oona.telemetry',
  policy: 'oona.policy',
  kernelRequests: 'oona.kernels.requests',
  kernelReady: 'oona.kernels.ready',
  kernelErrors: 'oona.kernels.errors',
  deadLetter: 'oona.deadletter',
} as const;
export type OonaStream = (typeof oonaStreams)[keyof typeof oonaStreams];
/** Validates a stream name. */
export const oonaStreamSchema = z.enum(Object.values(oonaStreams) as [OonaStream, ...OonaStream[]]);

/** Every stream a consumer may read (all but the dead-letter stream, which is for inspection and redrive). */
export const consumableOonaStreams: readonly OonaStream[] = Object.values(oonaStreams).filter(
  (stream) => stream !== oonaStreams.deadLetter,
);

const streamOfKind: Readonly<Record<EsperMessageKind, OonaStream>> = {
  'system-state': oonaStreams.normal,
  'adaptation-command': oonaStreams.normal,
  'field-report': oonaStreams.normal,
  'safety-sheet': oonaStreams.normal,
  'benchmark-report': oonaStreams.normal,
  'emergency-signal': oonaStreams.emergency,
  telemetry: oonaStreams.telemetry,
  'compile-request': oonaStreams.kernelRequests,
  'kernel-ready': oonaStreams.kernelReady,
  'kernel-error': oonaStreams.kernelErrors,
  // Validating a kernel is kernel work: Urabrask reads the same request stream as Tezzeret.
  'validation-request': oonaStreams.kernelRequests,
};

/**
 * The stream a message belongs on: emergency signals and EMERGENCY commands on `oona.emergency` (read first by
 * every consumer), telemetry and kernel traffic on their own streams, everything else on `oona.normal`.
 * (`oona.policy` is reserved for Tamiyo's policy updates, not yet part of these contracts.)
 */
export function streamFor(message: EsperMessage): OonaStream {
  if (message.kind === 'adaptation-command' && message.message.type === 'EMERGENCY') return oonaStreams.emergency;
  return streamOfKind[message.kind];
}

/** One verified, parsed message handed to a consumer's handler. */
export type EsperDelivery = EsperMessage & {
  stream: OonaStream;
  /** The bus's id of this entry (a Redis stream id); a retry carries the same one. */
  entryId: string;
  envelope: EsperEnvelope;
  /** 1 on first delivery; each retry or reclaim adds one. After `maxAttempts` failures the entry is dead-lettered. */
  attempt: number;
  /** The version the producer wrote, when older than the current one and upcast. */
  upcastFrom?: number;
};

/**
 * Resolve only once the work is durably accepted (later: once Temporal accepted the workflow start or signal):
 * that is when the entry is acknowledged. Throw to have it retried. `signal` aborts when the consumer closes.
 */
export type EsperHandler = (delivery: EsperDelivery, signal: AbortSignal) => Promise<void>;

export interface ConsumeOptions {
  streams: readonly OonaStream[];
  /** Consumer group: each group receives every message once; consumers of one group share the work. */
  group: string;
  /** This consumer's name, unique within the group and stable across restarts of the same process slot. */
  consumer: string;
  handler: EsperHandler;
  /** Aborting stops the loop; `consume` resolves once it has stopped. */
  signal: AbortSignal;
}

/** What happened to the entries a transport has seen, since it was created. */
export interface TransportCounters {
  /** Handler resolved, entry acknowledged. */
  handled: number;
  /** Handler attempts that threw (each one; the entry is retried or dead-lettered). */
  handlerFailures: number;
  /** Moved to `oona.deadletter` with the reason (failed 5 times, unreadable, future version…) and acknowledged. */
  deadLettered: number;
  /** Taken over from a consumer that held them longer than the reclaim idle time (it probably died). */
  reclaimed: number;
  /** Not JSON or not an envelope: dropped and acknowledged. */
  droppedMalformed: number;
  droppedBadSignature: number;
  /** Older than the freshness window (or from the future) when the bus accepted it: dropped. */
  droppedStale: number;
  /** An id already seen in another entry within the replay window (a replay or a double publish): dropped. */
  droppedDuplicate: number;
  rejectedUnknownKind: number;
  rejectedFutureVersion: number;
  rejectedInvalid: number;
  /** Older versions accepted through an upcaster. */
  upcasted: number;
}

/** All counters at zero. */
export const emptyCounters = (): TransportCounters => ({
  handled: 0,
  handlerFailures: 0,
  deadLettered: 0,
  reclaimed: 0,
  droppedMalformed: 0,
  droppedBadSignature: 0,
  droppedStale: 0,
  droppedDuplicate: 0,
  rejectedUnknownKind: 0,
  rejectedFutureVersion: 0,
  rejectedInvalid: 0,
  upcasted: 0,
});

/** Why an entry was dead-lettered: its handler failed `maxAttempts` times, it was delivered that often without an
 * acknowledgement, or it is authentic but unreadable (the parse rejection's reason). */
export const deadLetterReasons = ['handler_failed', 'max_deliveries', 'unknown_kind', 'future_version', 'invalid'] as const;
export type DeadLetterReason = (typeof deadLetterReasons)[number];

/** An entry in `oona.deadletter`: the original envelope text and why it ended there. */
export interface DeadLetter {
  /** The dead-letter entry's own id. */
  entryId: string;
  reason: DeadLetterReason;
  error: string;
  stream: OonaStream;
  /** The original entry's id in `stream`. */
  originalEntryId: string;
  group: string;
  consumer: string;
  attempts: number;
  deadLetteredAt: string;
  /** The original envelope exactly as it was on the bus, for inspection or redrive. */
  envelope: string;
}

export interface EsperTransport {
  /** Appends a signed envelope to `stream` and returns the entry id. Throws on an envelope that is not well formed. */
  publish(stream: OonaStream, envelope: EsperEnvelope): Promise<string>;
  /** Runs a consumer until `options.signal` aborts. */
  consume(options: ConsumeOptions): Promise<void>;
  /** A snapshot of the counters. */
  counters(): Readonly<TransportCounters>;
  /** The newest dead letters first. */
  deadLetters(limit?: number): Promise<DeadLetter[]>;
}
