/**
 * HMAC-SHA256 envelope signatures with a shared secret, as Oona requires: sign a canonical serialization, verify
 * in constant time, and refuse envelopes too old (or too far in the future) to be anything but a replay.
 * Uses node:crypto, so only activities, clients and workers import this file — never workflows.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EsperEnvelope, UnsignedEsperEnvelope } from './envelope';
import type { EsperMessageByKind, EsperMessageKind } from './registry';

/**
 * Freshness rules. An envelope is accepted up to `maxAgeMs` after its `sentAt` and at most `maxFutureSkewMs`
 * before it (clock skew); so every accepted copy of one envelope falls within 90 s, well inside the
 * `replayWindowMs` during which a transport remembers ids: a replayed copy is either stale or remembered.
 */
export const envelopeFreshness = { maxAgeMs: 60_000, maxFutureSkewMs: 30_000, replayWindowMs: 300_000 } as const;

/** Shorter secrets make HMAC guessable; the bus's shared secret must be at least this long. */
export const MIN_SECRET_LENGTH = 32;

/** Binds signatures to this purpose, so a MAC the same secret made for anything else can never pass as one. */
const SIGNATURE_CONTEXT = 'esper-envelope-v1\n';

/**
 * JSON with object keys sorted (JavaScript's default string order), no whitespace, `undefined` members left
 * out: the same value always serializes to the same text, whatever order its producer wrote the keys in.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`cannot serialize a ${typeof value} canonically`);
  return text;
}

/** Throws unless there is at least one secret and every secret is long enough. A configuration error, not input. */
export function assertSigningSecrets(secrets: readonly string[]): void {
  if (secrets.length === 0) throw new Error('an Oona signing secret is required');
  if (secrets.some((secret) => secret.length < MIN_SECRET_LENGTH)) {
    throw new Error(`Oona signing secrets must be at least ${MIN_SECRET_LENGTH} characters`);
  }
}

function computeSignature(unsigned: UnsignedEsperEnvelope, secret: string): Buffer {
  const { kind, version, id, sentAt, origin, payload } = unsigned;
  return createHmac('sha256', secret)
    .update(SIGNATURE_CONTEXT + canonicalJson({ kind, version, id, sentAt, origin, payload }))
    .digest();
}

/** Signs an envelope with `secret`. */
export function signEnvelope(unsigned: UnsignedEsperEnvelope, secret: string): EsperEnvelope {
  assertSigningSecrets([secret]);
  const { kind, version, id, sentAt, origin, payload } = unsigned;
  return { kind, version, id, sentAt, origin, payload, signature: computeSignature(unsigned, secret).toString('hex') };
}

/** Wraps a message of the current contract in a signed envelope; the envelope version is the message's. */
export function sealEsperMessage<K extends EsperMessageKind>(
  input: { kind: K; payload: EsperMessageByKind[K]; id: string; origin: EsperEnvelope['origin']; sentAt: Date },
  secret: string,
): EsperEnvelope {
  const { kind, payload, id, origin, sentAt } = input;
  return signEnvelope({ kind, version: payload.version, id, origin, sentAt: sentAt.toISOString(), payload }, secret);
}

/**
 * Whether `signature` is a valid HMAC of the rest of the envelope under any of `secrets` (several while a secret
 * is rotated). Constant-time per secret, so timing reveals nothing about how much of a forgery was right.
 */
export function hasValidSignature(envelope: EsperEnvelope, secrets: readonly string[]): boolean {
  if (!/^[0-9a-f]{64}$/.test(envelope.signature)) return false;
  const given = Buffer.from(envelope.signature, 'hex');
  let valid = false;
  for (const secret of secrets) {
    // No early exit: checking every secret keeps the time independent of which one matched.
    if (timingSafeEqual(computeSignature(envelope, secret), given)) valid = true;
  }
  return valid;
}

/** How an envelope's `sentAt` compares with the time it is judged at. */
export type EnvelopeFreshness = 'fresh' | 'stale' | 'from_future';

/** Judges `sentAt` against `nowMs` (the time the bus accepted the envelope, or the verifier's clock). */
export function checkFreshness(sentAt: string, nowMs: number, rules: Partial<typeof envelopeFreshness> = {}): EnvelopeFreshness {
  const { maxAgeMs, maxFutureSkewMs } = { ...envelopeFreshness, ...rules };
  const sentMs = Date.parse(sentAt);
  if (Number.isNaN(sentMs) || nowMs - sentMs > maxAgeMs) return 'stale';
  return sentMs - nowMs > maxFutureSkewMs ? 'from_future' : 'fresh';
}

/** Whether an envelope may be processed, and if not, why. */
export type EnvelopeVerdict = { ok: true } | { ok: false; reason: 'bad_signature' | 'stale' | 'from_future'; detail: string };

/**
 * Checks signature first (an unauthenticated `sentAt` means nothing), then freshness. Replays inside the
 * freshness window are caught by the transport, which remembers ids for `replayWindowMs`.
 */
export function verifyEnvelope(
  envelope: EsperEnvelope,
  options: { secrets: readonly string[]; nowMs: number } & Partial<typeof envelopeFreshness>,
): EnvelopeVerdict {
  if (!hasValidSignature(envelope, options.secrets)) {
    return { ok: false, reason: 'bad_signature', detail: `envelope ${envelope.id} from ${envelope.origin} has a bad signature` };
  }
  const freshness = checkFreshness(envelope.sentAt, options.nowMs, options);
  if (freshness === 'fresh') return { ok: true };
  const skewSeconds = Math.round((options.nowMs - Date.parse(envelope.sentAt)) / 1000);
  const detail =
    freshness === 'stale'
      ? `envelope ${envelope.id} is stale: sent ${skewSeconds} s before it was accepted (limit ${(options.maxAgeMs ?? envelopeFreshness.maxAgeMs) / 1000} s)`
      : `envelope ${envelope.id} claims to be sent ${-skewSeconds} s in the future`;
  return { ok: false, reason: freshness, detail };
}
