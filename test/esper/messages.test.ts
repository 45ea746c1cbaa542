import { describe, expect, it } from 'vitest';
import { parseEnvelopePayload } from '../../contracts/esper/envelope';
import { blueprintIdSchema, blueprintTier, canTransitionSeed } from '../../contracts/esper/lifecycle';
import { oonaStreams, streamFor } from '../../contracts/esper/transport';
import { currentEsperVersion, esperMessageKinds, parseEsperMessage, type EsperParseResult } from '../../contracts/esper/registry';
import { esperExamples, systemStateV1Example } from './examples';
import { expectGolden, readGolden } from './golden';

function rejection(result: EsperParseResult) {
  if (result.ok) throw new Error(`expected a rejection, got a ${result.kind}`);
  return result;
}

describe('golden wire form of every Esper message', () => {
  it.each(esperMessageKinds)('%s: the example parses unchanged and matches its golden file', async (kind) => {
    const parsed = parseEsperMessage(kind, esperExamples[kind]);
    expect(parsed).toEqual({ ok: true, kind, message: esperExamples[kind] });
    const file = `${kind}.v${currentEsperVersion(kind)}.json`;
    await expectGolden(file, parsed.ok && parsed.message);
    // Consumers still read what the golden file says: the committed bytes parse to the same message.
    expect(parseEsperMessage(kind, readGolden(file))).toEqual({ ok: true, kind, message: esperExamples[kind] });
  });

  it('system-state version 1 is pinned too, since producers still write it', async () => {
    await expectGolden('system-state.v1.json', systemStateV1Example);
  });
});

describe('parseEsperMessage', () => {
  it('upcasts a version 1 system state: flat loss/accuracy become training and validation blocks', () => {
    const result = parseEsperMessage('system-state', readGolden('system-state.v1.json'));
    expect(result).toEqual({
      ok: true,
      kind: 'system-state',
      upcastFrom: 1,
      // v1 never measured training accuracy: null, not a guess; its unqualified accuracy was the validation one.
      message: {
        ...esperExamples['system-state'],
        training: { loss: 0.612, accuracy: null },
        validation: { loss: 0.701, accuracy: 0.774 },
      },
    });
  });

  it('names the version 1 fields when a version 1 packet is invalid', () => {
    const result = rejection(parseEsperMessage('system-state', { ...systemStateV1Example, validationLoss: undefined, loss: -1 }));
    expect(result.reason).toBe('invalid');
    expect(result.issues.map((issue) => issue.path).sort()).toEqual(['loss', 'validationLoss']);
    expect(result.detail).toMatch(/^invalid system-state version 1: /);
  });

  it('rejects a future version naming the kind, the version and the newest supported', () => {
    const result = rejection(parseEsperMessage('system-state', { ...esperExamples['system-state'], version: 3 }));
    expect(result.reason).toBe('future_version');
    expect(result.detail).toBe(
      'system-state version 3 is newer than the newest version this relay reads (2); upgrade esper-relay to accept it',
    );
    expect(rejection(parseEsperMessage('kernel-ready', { version: 2 })).detail).toMatch(/^kernel-ready version 2 .*\(1\)/);
  });

  it('rejects an unknown kind, listing the known ones', () => {
    const result = rejection(parseEsperMessage('seed-report', { version: 1 }));
    expect(result.reason).toBe('unknown_kind');
    expect(result.detail).toContain('"seed-report"');
    expect(result.detail).toContain('system-state, adaptation-command');
    expect(rejection(parseEsperMessage('toString', { version: 1 })).reason).toBe('unknown_kind');
  });

  it('names every invalid field by its path', () => {
    const state = esperExamples['system-state'];
    const result = rejection(
      parseEsperMessage('system-state', { ...state, epoch: -1, seeds: [{ ...state.seeds[0], stage: 'SPROUTING' }], extra: true }),
    );
    expect(result.reason).toBe('invalid');
    expect(result.issues.map((issue) => issue.path).sort()).toEqual(['(message)', 'epoch', 'seeds.0.stage']);
    expect(result.detail).toContain('Unrecognized key: "extra"');
  });

  it.each([
    ['a SEED command without a target seed', { targetSeedId: undefined }, 'targetSeedId'],
    ['GERMINATE without a blueprint', { payload: { action: 'GERMINATE' } }, 'payload.blueprintId'],
    ['a blueprint outside the catalogue', { payload: { action: 'GERMINATE', blueprintId: 'BP051' } }, 'payload.blueprintId'],
    ['a deadline before it was issued', { executionDeadline: '2025-06-01T11:00:00.000Z' }, 'executionDeadline'],
    ['an unknown command type', { type: 'REBOOT' }, 'type'],
    ['a ROLLBACK without a level', { type: 'ROLLBACK', payload: { reason: 'loss spike' } }, 'payload.level'],
  ])('rejects an adaptation command with %s, naming %s', (_case, change, field) => {
    const result = rejection(parseEsperMessage('adaptation-command', { ...esperExamples['adaptation-command'], ...change }));
    expect(result.issues.map((issue) => issue.path)).toContain(field);
  });

  it('rejects a benchmark whose p95 is below its p50', () => {
    const result = rejection(
      parseEsperMessage('benchmark-report', { ...esperExamples['benchmark-report'], latencyMs: { p50: 5, p95: 4 } }),
    );
    expect(result.issues).toEqual([{ path: 'latencyMs.p95', message: 'must be at least p50' }]);
  });

  it.each([null, undefined, 42, 'text', [], {}, { version: '2' }, { version: 0 }, { version: 1.5 }, { version: Infinity }])(
    'never throws on %j, it answers invalid',
    (raw) => {
      const result = rejection(parseEsperMessage('system-state', raw));
      expect(result).toMatchObject({ reason: 'invalid', issues: [{ path: 'version' }] });
    },
  );

  it('refuses an envelope whose version differs from its payload version', () => {
    const result = rejection(parseEnvelopePayload({ kind: 'system-state', version: 2, payload: systemStateV1Example }));
    expect(result.detail).toBe('envelope version 2 does not match payload version 1');
  });
});

describe('lifecycles', () => {
  it('derives blueprint tiers from the catalogue number', () => {
    expect(['BP001', 'BP035', 'BP036', 'BP042', 'BP043', 'BP050'].map(blueprintTier)).toEqual([
      'SAFE',
      'SAFE',
      'EXPERIMENTAL',
      'EXPERIMENTAL',
      'HIGH_RISK',
      'HIGH_RISK',
    ]);
    expect(['BP000', 'BP051', 'BP7', 'bp001'].map((id) => blueprintIdSchema.safeParse(id).success)).toEqual([false, false, false, false]);
  });

  it('allows only the commanded seed transitions', () => {
    expect(canTransitionSeed('DORMANT', 'GERMINATED')).toBe(true);
    expect(canTransitionSeed('BLENDING', 'CULLED')).toBe(true);
    expect(canTransitionSeed('CULLED', 'DORMANT')).toBe(false); // embargo and reset come first
    expect(canTransitionSeed('TRAINING', 'FOSSILIZED')).toBe(false);
    expect(canTransitionSeed('FOSSILIZED', 'CULLED')).toBe(false);
  });
});

describe('streamFor', () => {
  it('puts emergency signals and EMERGENCY commands on the emergency stream, the rest by kind', () => {
    const halt = {
      ...esperExamples['adaptation-command'],
      type: 'EMERGENCY' as const,
      payload: { level: 'HALT' as const, reason: 'loss diverged' },
    };
    expect(streamFor({ kind: 'adaptation-command', message: halt })).toBe(oonaStreams.emergency);
    expect(streamFor({ kind: 'adaptation-command', message: esperExamples['adaptation-command'] })).toBe(oonaStreams.normal);
    expect(streamFor({ kind: 'emergency-signal', message: esperExamples['emergency-signal'] })).toBe(oonaStreams.emergency);
    expect(streamFor({ kind: 'telemetry', message: esperExamples.telemetry })).toBe(oonaStreams.telemetry);
    expect(streamFor({ kind: 'compile-request', message: esperExamples['compile-request'] })).toBe(oonaStreams.kernelRequests);
  });
});
