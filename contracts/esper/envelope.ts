/**
 * The envelope every message travels in on the bus: who sent what kind, which version, when, and an HMAC
 * signature over all of it (see `envelope-signing.ts`). The payload stays `unknown` here: it is validated
 * against its kind's contract only after the signature checked out, so unauthenticated input never reaches
 * the message parsers.
 */
import { z } from 'zod';
import { esperIdSchema, esperOriginSchema, instantSchema } from './common';
import { parseEsperMessage, type EsperParseResult } from './registry';

/** Envelopes longer than this (in characters) are refused before parsing (the bus is for coordination, not bulk data). */
export const MAX_ENVELOPE_CHARS = 256 * 1024;

export const esperEnvelopeSchema = z.strictObject({
  /** A message kind (`system-state`, …). Not an enum here: an unknown kind is a rejection the registry names. */
  kind: z.string().min(1).max(64),
  /** The version of the payload's contract; it must equal `payload.version`. */
  version: z.number().int().positive(),
  /** Unique per message; also the replay nonce. A redelivery carries the same id. */
  id: esperIdSchema,
  sentAt: instantSchema,
  origin: esperOriginSchema,
  payload: z.unknown(),
  /** Lower-case hex HMAC-SHA256 of the canonical envelope without this field. */
  signature: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (HMAC-SHA256)'),
});
export type EsperEnvelope = z.infer<typeof esperEnvelopeSchema>;
export type UnsignedEsperEnvelope = Omit<EsperEnvelope, 'signature'>;

/** The envelope, or why the text is not one. */
export type EnvelopeDecodeResult = { ok: true; envelope: EsperEnvelope } | { ok: false; detail: string };

/** Decodes an envelope from its wire form (JSON text). Never throws. */
export function decodeEnvelope(text: string): EnvelopeDecodeResult {
  if (text.length > MAX_ENVELOPE_CHARS) return { ok: false, detail: `envelope is longer than ${MAX_ENVELOPE_CHARS} characters` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, detail: 'envelope is not JSON' };
  }
  const parsed = esperEnvelopeSchema.safeParse(raw);
  if (parsed.success) return { ok: true, envelope: parsed.data };
  return { ok: false, detail: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(envelope)'}: ${issue.message}`).join('; ') };
}

/**
 * Parses the payload of an (already verified) envelope. The envelope's `version` must match the payload's:
 * a mismatch means a producer bug, and trusting either one could route the message to the wrong upcaster.
 */
export function parseEnvelopePayload(envelope: Pick<EsperEnvelope, 'kind' | 'version' | 'payload'>): EsperParseResult {
  const payloadVersion = (envelope.payload as { version?: unknown } | null)?.version;
  if (typeof envelope.payload === 'object' && envelope.payload !== null && payloadVersion !== envelope.version) {
    return {
      ok: false,
      reason: 'invalid',
      detail: `envelope version ${envelope.version} does not match payload version ${JSON.stringify(payloadVersion) ?? 'undefined'}`,
      issues: [{ path: 'version', message: 'must equal the payload version' }],
    };
  }
  return parseEsperMessage(envelope.kind, envelope.payload);
}
