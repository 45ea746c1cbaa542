/**
 * The simulator's training run as a pure model: valid packets, the same run for the same seed, a falling loss
 * curve, latency within 11–16 ms except where spikes are forced, seeds that only ever move as the lifecycle
 * allows (checked by the relay's own tracker), culls going through the embargo, and no germination while
 * conservative.
 */
import { describe, expect, it } from 'vitest';
import { parseEsperMessage } from '../../contracts/esper/registry';
import { defaultTrainingRunSettings } from '../../contracts/esper/training-run';
import { newAggregate, observeState, statusOf } from '../../domain/esper/training-aggregate';
import { initialSnapshot, simulateEpoch, type EpochResult, type TrainingModelSettings } from '../../simulator/training-model';

const settings = (overrides: Partial<TrainingModelSettings> = {}): TrainingModelSettings => ({
  runId: 'sim-run-1',
  seed: 1,
  seedSlots: 4,
  stepsPerEpoch: 390,
  embargoEpochs: 3,
  latencySpikesAt: [],
  ...overrides,
});

function simulate(epochs: number, model = settings(), conservative = false): EpochResult[] {
  let snapshot = initialSnapshot(model);
  const results: EpochResult[] = [];
  for (let i = 0; i < epochs; i += 1) {
    const result = simulateEpoch(snapshot, model, { conservative, restores: 0, capturedAt: '2026-01-01T00:00:00.000Z' });
    snapshot = result.snapshot;
    results.push(result);
  }
  return results;
}

const latencyOf = (result: EpochResult) => result.telemetry.metrics.find((m) => m.name === 'epoch_latency_ms')!.value;

describe('simulated training run', () => {
  it('publishes packets that pass the contracts, and the same seed gives the same run', () => {
    const run = simulate(80);
    for (const { state, telemetry } of run) {
      expect(parseEsperMessage('system-state', state).ok).toBe(true);
      expect(parseEsperMessage('telemetry', telemetry).ok).toBe(true);
    }
    expect(simulate(80)).toEqual(run);
    expect(simulate(80, settings({ seed: 2 }))).not.toEqual(run);
  });

  it('trains: validation loss falls and accuracy rises over the run', () => {
    const run = simulate(80);
    const first = run[0]!.state;
    const last = run.at(-1)!.state;
    expect(last.validation.loss).toBeLessThan(first.validation.loss / 3);
    expect(last.validation.accuracy).toBeGreaterThan(first.validation.accuracy + 0.5);
    expect(run.map((r) => r.state.epoch)).toEqual([...Array(80).keys()]);
  });

  it('keeps epoch latency within 11–16 ms except at the forced spikes', () => {
    const run = simulate(40, settings({ latencySpikesAt: [10, 11, 12] }));
    const spiking = run.filter((r) => latencyOf(r) > 18).map((r) => r.state.epoch);
    expect(spiking).toEqual(expect.arrayContaining([10, 11, 12]));
    expect(spiking.length).toBeLessThanOrEqual(4);
    for (const r of run.filter((r) => !spiking.includes(r.state.epoch))) expect(latencyOf(r)).toBeGreaterThanOrEqual(11);
  });

  it('moves seeds only as the lifecycle allows, through gates, culls and embargoes', () => {
    const run = simulate(300, settings({ seedSlots: 6 }));
    const aggregate = newAggregate('sim-run-1');
    for (const { state } of run) observeState(aggregate, state, defaultTrainingRunSettings, state.capturedAt);
    expect(Object.keys(aggregate.alerts.occurrences).filter((key) => key.startsWith('illegal'))).toEqual([]);
    const notes = run.flatMap((r) => r.notes).join('\n');
    for (const expected of ['passed G0', 'passed G1', 'passed G2', 'failed', 'embargoed for 3 epochs', 'passed G5', 'FOSSILIZED']) {
      expect(notes).toContain(expected);
    }
    expect(statusOf(aggregate).seeds).toHaveLength(6);
  });

  it('germinates nothing while conservative', () => {
    const run = simulate(60, settings(), true);
    expect(run.flatMap((r) => r.notes).filter((note) => note.includes('germinated'))).toEqual([]);
    expect(run.at(-1)!.telemetry.metrics.find((m) => m.name === 'conservative_mode')!.value).toBe(1);
  });
});
