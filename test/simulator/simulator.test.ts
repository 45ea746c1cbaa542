/**
 * The Esper simulator: Karn's tiers, what Tezzeret and Urabrask answer, and that a seed fixes every answer —
 * decided on its own, and end to end over the in-process bus.
 */
import { describe, expect, it, vi } from 'vitest';
import { createInProcessTransport } from '../../bus/in-process-bus';
import { karnCatalogue } from '../../simulator/karn-catalogue';
import { randomFor } from '../../simulator/random';
import { EsperSimulator, type EsperSimulatorOptions } from '../../simulator/simulator';
import { createTezzeret } from '../../simulator/tezzeret';
import { createUrabrask, hazardBandOf } from '../../simulator/urabrask';
import { sealEsperMessage } from '../../contracts/esper/envelope-signing';
import type { CompileRequest } from '../../contracts/esper/kernels';
import { blueprintTier } from '../../contracts/esper/lifecycle';
import type { EsperMessage } from '../../contracts/esper/registry';
import { streamFor } from '../../contracts/esper/transport';
import type { ValidationRequest } from '../../contracts/esper/validation-request';
import { TEST_SECRET } from '../esper/buses';
import { esperExamples } from '../esper/examples';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const compile = (blueprintId: string, jobId = `job-${blueprintId}`): EsperMessage => ({
  kind: 'compile-request',
  message: { ...esperExamples['compile-request'], jobId, blueprintId, tier: blueprintTier(blueprintId) } satisfies CompileRequest,
});
const validate = (blueprintId: string, benchmark = true): EsperMessage => ({
  kind: 'validation-request',
  message: { ...esperExamples['validation-request'], blueprintId, kernelId: `k-${blueprintId}-1`, benchmark } satisfies ValidationRequest,
});

describe("Karn's catalogue", () => {
  it('holds BP001–BP050: 35 SAFE, 7 EXPERIMENTAL, 8 HIGH_RISK, each tier in its own hazard band', () => {
    expect(karnCatalogue.map((b) => b.blueprintId)).toEqual(Array.from({ length: 50 }, (_, i) => `BP${String(i + 1).padStart(3, '0')}`));
    const count = (tier: string) => karnCatalogue.filter((b) => b.tier === tier).length;
    expect([count('SAFE'), count('EXPERIMENTAL'), count('HIGH_RISK')]).toEqual([35, 7, 8]);
    const band = { SAFE: 'LOW', EXPERIMENTAL: 'MEDIUM', HIGH_RISK: 'HIGH' } as const;
    // Urabrask spreads the risk by ±0.04: still inside the tier's band.
    for (const { tier, baseRisk } of karnCatalogue) {
      expect([hazardBandOf(baseRisk - 0.04), hazardBandOf(baseRisk + 0.04)]).toEqual([band[tier], band[tier]]);
    }
  });
});

describe('Tezzeret (simulated)', () => {
  const answer = (options: Parameters<typeof createTezzeret>[0], request: EsperMessage) =>
    createTezzeret(options).answer(request, randomFor(7, 'job'));

  it('compiles into a kernel after about the configured time', () => {
    const [reply] = answer({ compileMs: 1_000 }, compile('BP007')).replies;
    expect(reply!.delayMs).toBeGreaterThanOrEqual(800);
    expect(reply!.delayMs).toBeLessThanOrEqual(1_200);
    expect(reply!.envelopeId).toBe('tezzeret.job-BP007.ready');
    expect(reply!.build('2025-06-01T12:00:01.000Z')).toMatchObject({
      kind: 'kernel-ready',
      message: { jobId: 'job-BP007', kernelId: expect.stringMatching(/^k-BP007-[0-9a-f]{8}$/), compileMs: reply!.delayMs },
    });
  });

  it.each([
    ['a blueprint configured to fail', { failingBlueprints: ['BP007'] }, 'INVALID_BLUEPRINT', false],
    ['a seeded crash', { failureProbability: 1 }, 'COMPILE_FAILED', true],
    ['a compile longer than the request allows', { compileMs: 120_000 }, 'TIMEOUT', true],
  ])('reports a kernel error for %s', (_, options, code, retryable) => {
    const [reply] = answer(options, compile('BP007')).replies;
    expect(reply!.build('2025-06-01T12:00:01.000Z')).toMatchObject({ kind: 'kernel-error', message: { code, retryable } });
  });

  it('never answers a silent blueprint', () => {
    expect(answer({ silentBlueprints: ['BP007'] }, compile('BP007')).replies).toEqual([]);
  });
});

describe('Urabrask (simulated)', () => {
  const sheetOf = (options: Parameters<typeof createUrabrask>[0], request: EsperMessage) => {
    const { replies } = createUrabrask(options).answer(request, randomFor(7, 'validate'));
    return {
      kinds: replies.map((r) => r.build('2025-06-01T12:00:02.000Z').kind),
      sheet: replies[0]!.build('2025-06-01T12:00:02.000Z').message,
    };
  };

  it.each([
    ['BP007', {}, { hazardBand: 'LOW', handlingClass: 'STANDARD', decision: 'GO' }, ['safety-sheet', 'benchmark-report']],
    ['BP045', {}, { hazardBand: 'HIGH', handlingClass: 'RESTRICTED', decision: 'GO' }, ['safety-sheet', 'benchmark-report']],
    [
      'BP007',
      { hazardousBlueprints: ['BP007'] },
      { hazardBand: 'CRITICAL', handlingClass: 'QUARANTINE', decision: 'NO_GO' },
      ['safety-sheet'],
    ],
  ])('rates %s %o as %o, then sends %o', (blueprintId, options, expected, kinds) => {
    const result = sheetOf(options, validate(blueprintId));
    expect(result.sheet).toMatchObject(expected);
    expect(result.kinds).toEqual(kinds);
  });
});

describe('the simulator on the bus', () => {
  /** Publishes `requests` (in that order) to a fresh bus with a simulator on it; returns its replies by envelope id. */
  async function runSimulator(
    requests: EsperMessage[],
    options: Partial<EsperSimulatorOptions> = {},
    expectedReplies = countReplies(requests),
  ) {
    const transport = createInProcessTransport({ secrets: [TEST_SECRET], clock: () => NOW, blockMs: 20 });
    const simulator = new EsperSimulator({
      transport,
      signingSecret: TEST_SECRET,
      clock: () => NOW,
      tezzeret: { compileMs: 10, failureProbability: 0.5 },
      urabrask: { validationMs: 5, benchmarkMs: 5 },
      ...options,
    });
    simulator.start();
    for (const [index, request] of requests.entries()) {
      const envelope = sealEsperMessage(
        {
          kind: request.kind,
          payload: request.message,
          id: `request-${request.kind}-${index}`,
          origin: 'relay',
          sentAt: new Date(NOW),
        },
        TEST_SECRET,
      );
      await transport.publish(streamFor(request), envelope);
    }
    await vi.waitFor(() => expect(simulator.published.length).toBeGreaterThanOrEqual(expectedReplies), { timeout: 5_000, interval: 10 });
    await simulator.stop();
    return { simulator, replies: Object.fromEntries(simulator.published.map((reply) => [reply.envelopeId, reply.message])) };
  }

  /** One reply per compile, two (sheet and benchmark) per validation of a GO kernel. */
  const countReplies = (requests: EsperMessage[]) =>
    requests.filter((r) => r.kind === 'compile-request').length + 2 * requests.filter((r) => r.kind === 'validation-request').length;
  const requests = [
    ...['BP003', 'BP010', 'BP038', 'BP041', 'BP044', 'BP049'].map((id) => compile(id)),
    validate('BP003'),
    validate('BP044'),
  ];

  it('answers the same requests identically under the same seed, whatever order they arrive in', async () => {
    const first = await runSimulator(requests, { seed: 42 });
    const second = await runSimulator([...requests].reverse(), { seed: 42 });
    expect(Object.keys(first.replies)).toHaveLength(10);
    expect(second.replies).toEqual(first.replies);
    // Half the compiles crash (probability 0.5): the seed decides which.
    const kinds = Object.values(first.replies).map((m) => m.kind);
    expect(kinds).toContain('kernel-ready');
    expect(kinds).toContain('kernel-error');
  });

  it('answers differently under another seed', async () => {
    const first = await runSimulator(requests, { seed: 42 });
    const other = await runSimulator(requests, { seed: 43 });
    expect(other.replies).not.toEqual(first.replies);
  });

  it('answers a repeated request for the same job once', async () => {
    const repeated = [compile('BP005', 'job-1'), compile('BP005', 'job-1')];
    const { simulator, replies } = await runSimulator(repeated, { tezzeret: { compileMs: 10 } }, 1);
    expect(Object.keys(replies)).toEqual(['tezzeret.job-1.ready']);
    expect(simulator.duplicateRequests).toBe(1);
  });
});
