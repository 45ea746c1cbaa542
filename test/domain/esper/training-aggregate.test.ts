/**
 * A training run's aggregate without Temporal: the window (latency percentiles, loss trend, restores), the alert
 * rules with their hysteresis (each alert raised once, cleared once), and seed lifecycle tracking.
 */
import { describe, expect, it } from 'vitest';
import type { SeedStage } from '../../../contracts/esper/lifecycle';
import type { SystemStatePacket } from '../../../contracts/esper/system-state';
import type { TelemetryPacket } from '../../../contracts/esper/telemetry';
import { defaultTrainingRunSettings as settings } from '../../../contracts/esper/training-run';
import type { AlertChange } from '../../../domain/esper/alert-book';
import { newAggregate, observeState, observeTelemetry, statusOf, type TrainingAggregate } from '../../../domain/esper/training-aggregate';
import { reachableWithin } from '../../../domain/esper/seed-tracker';
import { percentile } from '../../../domain/esper/training-window';

const AT = '2026-01-01T00:00:00.000Z';
type Seed = { seedId: string; stage: SeedStage; riskScore?: number };

function state(epoch: number, validationLoss: number, seeds: Seed[] = []): SystemStatePacket {
  return {
    version: 2,
    runId: 'run-1',
    epoch,
    globalStep: epoch * 100,
    capturedAt: AT,
    hardware: { device: 'sim-gpu', utilization: 0.8, memoryUsedGb: 10, memoryTotalGb: 24 },
    seeds: seeds.map((s) => ({ gradientNorm: 1, riskScore: 0.1, ...s })),
    training: { loss: validationLoss * 0.9, accuracy: 0.5 },
    validation: { loss: validationLoss, accuracy: 0.5 },
  };
}

function telemetry(metrics: Record<string, number>, events: string[] = []): TelemetryPacket {
  return {
    version: 1,
    source: 'tolaria',
    runId: 'run-1',
    capturedAt: AT,
    health: 'HEALTHY',
    metrics: Object.entries(metrics).map(([name, value]) => ({ name, value })),
    events: events.map((name) => ({ name, severity: 'INFO', message: name, at: AT })),
  };
}

const lines = (changes: AlertChange[]) => changes.map((c) => `${c.kind} ${c.alert.key}#${c.alert.occurrence}`);
const latencies = (run: TrainingAggregate, values: number[]) =>
  values.flatMap((ms) => lines(observeTelemetry(run, telemetry({ epoch_latency_ms: ms }), settings, AT)));

describe('training-run aggregate', () => {
  it('raises the latency alert on the third check over 18 ms, once, and clears it after three checks within budget', () => {
    const run = newAggregate('run-1');
    expect(latencies(run, [12, 19, 25])).toEqual([]);
    expect(latencies(run, [21])).toEqual(['raised epoch_latency#1']);
    expect(latencies(run, [30, 40])).toEqual([]); // still over: not raised again
    expect(latencies(run, [12, 19, 13, 14])).toEqual([]); // a single spike in between restarts the count
    expect(latencies(run, [15])).toEqual(['cleared epoch_latency#1']);
    expect(latencies(run, [20, 20, 20])).toEqual(['raised epoch_latency#2']);
    const status = statusOf(run);
    expect(status.alerts.active.map((a) => a.rule)).toEqual(['epoch_latency']);
    expect(status.alerts.recent).toHaveLength(1);
    expect(status.window.epochLatencyMs).toEqual({ last: 20, p50: 19, p95: 40 });
  });

  it('calls four rising validation losses in a row divergence, and clears it only after two falling ones', () => {
    const run = newAggregate('run-1');
    const losses = [1.0, 0.9, 0.95, 1.0, 1.05, 1.1, 1.08, 1.12, 1.0, 0.9];
    const seen = losses.map((loss, epoch) => lines(observeState(run, state(epoch, loss), settings, AT)));
    expect(seen.flat()).toEqual(['raised divergence#1', 'cleared divergence#1']);
    expect(seen[5]).toEqual(['raised divergence#1']);
    expect(seen[9]).toEqual(['cleared divergence#1']);
  });

  it('judges the loss trend over the window and forgets abandoned epochs after a restore', () => {
    const run = newAggregate('run-1');
    for (let epoch = 0; epoch < 10; epoch += 1) observeState(run, state(epoch, 2 * Math.exp(-epoch / 5)), settings, AT);
    expect(statusOf(run)).toMatchObject({ epoch: 9, lossTrend: 'improving', window: { epochs: 10 } });
    observeState(run, state(5, 0.74), settings, AT);
    expect(statusOf(run)).toMatchObject({ epoch: 5, window: { epochs: 6 }, restores: 1 });
    for (let epoch = 6; epoch < 26; epoch += 1) observeState(run, state(epoch, 0.74), settings, AT);
    expect(statusOf(run).lossTrend).toBe('flat');
  });

  it('tracks seed stages with the epoch they entered them, and reports a forbidden transition', () => {
    const run = newAggregate('run-1');
    observeState(run, state(1, 1, [{ seedId: 's1', stage: 'DORMANT' }]), settings, AT);
    observeState(run, state(2, 1, [{ seedId: 's1', stage: 'GERMINATED' }]), settings, AT);
    observeState(run, state(3, 1, [{ seedId: 's1', stage: 'GERMINATED' }]), settings, AT);
    expect(statusOf(run).seeds).toEqual([{ seedId: 's1', stage: 'GERMINATED', stageSinceEpoch: 2, gradientNorm: 1, riskScore: 0.1 }]);
    const illegal = observeState(run, state(4, 1, [{ seedId: 's1', stage: 'FOSSILIZED' }]), settings, AT);
    expect(lines(illegal)).toEqual(['raised illegal_transition:s1#1']);
    expect(statusOf(run).recentTransitions.map((t) => `${t.from}→${t.to} ${t.allowed}`)).toEqual([
      'DORMANT→GERMINATED true',
      'GERMINATED→FOSSILIZED false',
    ]);
    expect(lines(observeState(run, state(5, 1, [{ seedId: 's1', stage: 'TERMINATED' }]), settings, AT))).toEqual([
      'cleared illegal_transition:s1#1',
    ]);
    expect(statusOf(run).seedCounts).toEqual({ TERMINATED: 1 });
  });

  it('accepts several steps at once when epochs were skipped, and any stage after a restore', () => {
    expect(reachableWithin('TRAINING', 'SHADOWING', 2)).toBe(true);
    expect(reachableWithin('TRAINING', 'SHADOWING', 1)).toBe(false);
    const run = newAggregate('run-1');
    observeState(run, state(1, 1, [{ seedId: 's1', stage: 'TRAINING' }]), settings, AT);
    expect(observeState(run, state(3, 1, [{ seedId: 's1', stage: 'SHADOWING' }]), settings, AT)).toEqual([]);
    expect(observeState(run, state(2, 1, [{ seedId: 's1', stage: 'TRAINING' }]), settings, AT)).toEqual([]);
    expect(statusOf(run).recentTransitions).toHaveLength(1);
  });

  it('raises seed risk per seed with a clearing margin, and clears it when the seed disappears', () => {
    const run = newAggregate('run-1');
    const risk = (epoch: number, riskScore: number, seeds: Seed[] = []) =>
      lines(observeState(run, state(epoch, 1, [{ seedId: 's1', stage: 'TRAINING', riskScore }, ...seeds]), settings, AT));
    expect(risk(1, 0.85)).toEqual(['raised seed_risk:s1#1']);
    expect(risk(2, 0.75)).toEqual([]); // within the margin: held
    expect(risk(3, 0.69)).toEqual(['cleared seed_risk:s1#1']);
    expect(risk(4, 0.9, [{ seedId: 's2', stage: 'TRAINING', riskScore: 0.95 }])).toEqual([
      'raised seed_risk:s1#2',
      'raised seed_risk:s2#1',
    ]);
    expect(lines(observeState(run, state(5, 1, [{ seedId: 's1', stage: 'TRAINING', riskScore: 0.9 }]), settings, AT))).toEqual([
      'cleared seed_risk:s2#1',
    ]);
  });

  it('alerts on more than 3 isolation violations and on queues deeper than 4000 (clearing below 3200)', () => {
    const run = newAggregate('run-1');
    const observe = (metrics: Record<string, number>) => lines(observeTelemetry(run, telemetry(metrics), settings, AT));
    expect(observe({ isolation_violations: 3, queue_depth: 4000 })).toEqual([]);
    expect(observe({ isolation_violations: 4, queue_depth: 4001 })).toEqual(['raised isolation_violations#1', 'raised queue_depth#1']);
    expect(observe({ queue_depth: 3500 })).toEqual([]);
    expect(observe({ queue_depth: 3100, isolation_violations: 0 })).toEqual(['cleared isolation_violations#1', 'cleared queue_depth#1']);
  });

  it('reads conservative mode and the end of the run from Tolaria’s telemetry', () => {
    const run = newAggregate('run-1');
    observeTelemetry(run, telemetry({ conservative_mode: 1 }), settings, AT);
    expect(statusOf(run)).toMatchObject({ conservative: true, phase: 'RUNNING' });
    observeTelemetry(run, telemetry({ conservative_mode: 0 }, ['run_finished']), settings, AT);
    expect(statusOf(run)).toMatchObject({ conservative: false, phase: 'FINISHED', packetsTaken: 2 });
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 95)).toBe(100);
  });
});
