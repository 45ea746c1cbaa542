import { describe, expect, it } from 'vitest';
import { decodeEnvelope, type EsperEnvelope } from '../../contracts/esper/envelope';
import {
  assertSigningSecrets,
  canonicalJson,
  checkFreshness,
  hasValidSignature,
  sealEsperMessage,
  signEnvelope,
  verifyEnvelope,
} from '../../contracts/esper/envelope-signing';
import { esperExamples } from './examples';
import { expectGolden, readGolden } from './golden';

const SECRET = 'test-oona-secret-0123456789abcdef';
const OTHER_SECRET = 'another-oona-secret-0123456789abcd';
const SENT_AT = new Date('2025-06-01T12:01:10.000Z');

const envelope = (): EsperEnvelope =>
  sealEsperMessage(
    { kind: 'emergency-signal', payload: esperExamples['emergency-signal'], id: 'msg-0001', origin: 'tamiyo', sentAt: SENT_AT },
    SECRET,
  );

/** The same value with every object's keys in reverse order (as a producer in another language might write them). */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, child]) => [key, reverseKeys(child)]),
  );
}

const verify = (candidate: EsperEnvelope, nowMs = SENT_AT.getTime() + 1_000, secrets: string[] = [SECRET]) =>
  verifyEnvelope(candidate, { secrets, nowMs });

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, e: 'x' })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"e":"x"}',
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }));
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson(() => 1)).toThrow(/cannot serialize a function/);
  });
});

describe('envelope signatures', () => {
  it('pins the signed wire form (canonical serialization and HMAC) with a golden file', async () => {
    await expectGolden('envelope.signed.json', envelope());
    const decoded = decodeEnvelope(JSON.stringify(readGolden('envelope.signed.json')));
    expect(decoded.ok && verify(decoded.envelope)).toEqual({ ok: true });
  });

  it('accepts an envelope whose keys arrive in another order, at every depth', () => {
    const reversed = reverseKeys(envelope()) as EsperEnvelope;
    expect(Object.keys(reversed)[0]).toBe('signature');
    expect(verify(reversed)).toEqual({ ok: true });
  });

  it.each<[string, (e: EsperEnvelope) => EsperEnvelope]>([
    ['kind', (e) => ({ ...e, kind: 'telemetry' })],
    ['version', (e) => ({ ...e, version: 2 })],
    ['id', (e) => ({ ...e, id: 'msg-0002' })],
    ['sentAt', (e) => ({ ...e, sentAt: '2025-06-01T12:01:11.000Z' })],
    ['origin', (e) => ({ ...e, origin: 'kasmina' })],
    ['payload (a nested field)', (e) => ({ ...e, payload: { ...(e.payload as object), level: 'HALT' } })],
    ['payload (an added field)', (e) => ({ ...e, payload: { ...(e.payload as object), note: 'x' } })],
    ['signature', (e) => ({ ...e, signature: (e.signature[0] === '0' ? '1' : '0') + e.signature.slice(1) })],
  ])('rejects an envelope whose %s was tampered with', (_field, tamper) => {
    expect(verify(tamper(envelope()))).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a signature made with another secret, and accepts any of several while a secret rotates', () => {
    const fromOld = sealEsperMessage(
      { kind: 'emergency-signal', payload: esperExamples['emergency-signal'], id: 'm', origin: 'tamiyo', sentAt: SENT_AT },
      OTHER_SECRET,
    );
    expect(verify(fromOld)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verify(fromOld, undefined, [SECRET, OTHER_SECRET])).toEqual({ ok: true });
  });

  it('answers false, never throws, for a signature that is not 64 hex digits', () => {
    expect(hasValidSignature({ ...envelope(), signature: 'ABC' }, [SECRET])).toBe(false);
    expect(hasValidSignature({ ...envelope(), signature: envelope().signature.toUpperCase() }, [SECRET])).toBe(false);
  });

  it('refuses missing or short secrets (a guessable HMAC key)', () => {
    expect(() => assertSigningSecrets([])).toThrow(/secret is required/);
    expect(() => signEnvelope({ ...envelope() }, 'short')).toThrow(/at least 32 characters/);
  });
});

describe('envelope freshness', () => {
  const sent = SENT_AT.getTime();

  it('accepts an envelope up to 60 s old and rejects it one millisecond later as stale', () => {
    expect(verify(envelope(), sent + 60_000)).toEqual({ ok: true });
    expect(verify(envelope(), sent + 60_001)).toMatchObject({ ok: false, reason: 'stale', detail: expect.stringContaining('limit 60 s') });
  });

  it('rejects an envelope claiming to be sent more than 30 s in the future', () => {
    expect(verify(envelope(), sent - 30_000)).toEqual({ ok: true });
    expect(verify(envelope(), sent - 30_001)).toMatchObject({ ok: false, reason: 'from_future' });
  });

  it('checks the signature before freshness: a forged sentAt cannot turn a stale envelope fresh', () => {
    const forged = { ...envelope(), sentAt: new Date(sent + 120_000).toISOString() };
    expect(verify(forged, sent + 120_000)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('treats an unparseable sentAt as stale', () => {
    expect(checkFreshness('yesterday', sent)).toBe('stale');
  });
});
