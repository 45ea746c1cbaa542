/**
 * An `EsperTransport` over any `StreamBackend`: publishing writes the canonical envelope text, consuming runs the
 * shared consumer loop. Both Oona-on-Redis and the in-process bus are this plus their backend.
 */
import { esperEnvelopeSchema, MAX_ENVELOPE_CHARS, type EsperEnvelope } from '../contracts/esper/envelope';
import { canonicalJson } from '../contracts/esper/envelope-signing';
import {
  deadLetterReasons,
  emptyCounters,
  oonaStreamSchema,
  oonaStreams,
  type DeadLetter,
  type DeadLetterReason,
  type EsperTransport,
  type OonaStream,
} from '../contracts/esper/transport';
import { runConsumerLoop } from './consumer-loop';
import { resolveConsumerSettings, type TransportOptions } from './consumer-settings';
import type { StreamBackend, StreamEntry } from './stream-backend';

/** Builds a transport on `backend`; throws on invalid options (e.g. a missing or short secret). */
export function createStreamTransport(backend: StreamBackend, options: TransportOptions): EsperTransport {
  const settings = resolveConsumerSettings(options);
  const counters = emptyCounters();
  return {
    async publish(stream: OonaStream, envelope: EsperEnvelope): Promise<string> {
      const target = oonaStreamSchema.safeParse(stream);
      if (!target.success) throw new TypeError(`unknown Oona stream ${JSON.stringify(stream)}`);
      if (target.data === oonaStreams.deadLetter) throw new TypeError('dead letters are written by consumers, not published');
      const checked = esperEnvelopeSchema.safeParse(envelope);
      if (!checked.success) {
        const problems = checked.error.issues.map((issue) => `${issue.path.join('.') || '(envelope)'}: ${issue.message}`);
        throw new TypeError(`cannot publish a malformed envelope: ${problems.join('; ')}`);
      }
      const text = canonicalJson(checked.data);
      // Refused here rather than dropped as malformed by every consumer later.
      if (text.length > MAX_ENVELOPE_CHARS) throw new TypeError(`envelope ${envelope.id} is longer than ${MAX_ENVELOPE_CHARS} characters`);
      return backend.append(target.data, { envelope: text });
    },
    consume: (consumeOptions) => runConsumerLoop({ backend, settings, counters }, consumeOptions),
    counters: () => Object.freeze({ ...counters }),
    async deadLetters(limit = 50): Promise<DeadLetter[]> {
      return (await backend.newest(oonaStreams.deadLetter, limit)).map(toDeadLetter);
    },
  };
}

function toDeadLetter(entry: StreamEntry): DeadLetter {
  const field = (name: string) => entry.fields[name] ?? '';
  const reason = field('reason');
  const stream = oonaStreamSchema.safeParse(field('stream'));
  return {
    entryId: entry.entryId,
    reason: (deadLetterReasons as readonly string[]).includes(reason) ? (reason as DeadLetterReason) : 'invalid',
    error: field('error'),
    stream: stream.success ? stream.data : oonaStreams.normal,
    originalEntryId: field('originalEntryId'),
    group: field('group'),
    consumer: field('consumer'),
    attempts: Number(field('attempts')) || 0,
    deadLetteredAt: field('deadLetteredAt'),
    envelope: field('envelope'),
  };
}
