/**
 * One simulated training run as a pure model: a snapshot (what a checkpoint restores) and the step from one epoch
 * to the next, which yields Tolaria's SystemStatePacket v2 and TelemetryPacket for that epoch. Each epoch draws
 * from its own generator (seed, run, epoch, restores so far), so the same seed and the same commands always give
 * the same run, and a restored run does not simply replay the timeline it left.
 */
import type { SystemStatePacket } from '../contracts/esper/system-state';
import type { TelemetryPacket } from '../contracts/esper/telemetry';
import { trainingTelemetry } from '../contracts/esper/training-run';
import { randomFor } from './random';
import { advanceCurve, epochLatencyMs, initialCurve, type CurveState, type EpochMetrics } from './training-curve';
import { newSeed, seedReading, stepSeed, type SimulatedSeed } from './training-seeds';

/** Everything a checkpoint holds. */
export interface RunSnapshot {
  /** The last epoch completed; -1 before the first. */
  epoch: number;
  globalStep: number;
  curve: CurveState;
  seeds: SimulatedSeed[];
  isolationViolations: number;
}

export interface TrainingModelSettings {
  runId: string;
  seed: number;
  seedSlots: number;
  stepsPerEpoch: number;
  embargoEpochs: number;
  /** Epochs whose latency spikes over budget whatever the generator says (tests). */
  latencySpikesAt: readonly number[];
}

export interface EpochContext {
  conservative: boolean;
  /** Checkpoints restored so far: part of each epoch's generator key. */
  restores: number;
  capturedAt: string;
}

export interface EpochResult {
  snapshot: RunSnapshot;
  state: SystemStatePacket;
  telemetry: TelemetryPacket;
  /** One line per seed that moved. */
  notes: string[];
}

export function initialSnapshot(settings: TrainingModelSettings): RunSnapshot {
  return {
    epoch: -1,
    globalStep: 0,
    curve: initialCurve(),
    seeds: Array.from({ length: settings.seedSlots }, (_, slot) => newSeed(slot)),
    isolationViolations: 0,
  };
}

/** The next epoch of the run. */
export function simulateEpoch(snapshot: RunSnapshot, settings: TrainingModelSettings, context: EpochContext): EpochResult {
  const epoch = snapshot.epoch + 1;
  const random = randomFor(settings.seed, `${settings.runId}:${epoch}:${context.restores}`);
  const { curve, metrics } = advanceCurve(snapshot.curve, random);
  const notes: string[] = [];
  const seeds = snapshot.seeds.map((seed) => {
    const step = stepSeed(seed, random, { conservative: context.conservative, embargoEpochs: settings.embargoEpochs });
    if (step.note) notes.push(step.note);
    return step.seed;
  });
  const isolationViolations = snapshot.isolationViolations + (random() < 0.005 ? 1 : 0);
  const next: RunSnapshot = { epoch, globalStep: snapshot.globalStep + settings.stepsPerEpoch, curve, seeds, isolationViolations };
  const latencyMs = epochLatencyMs(random, settings.latencySpikesAt.includes(epoch));
  return {
    snapshot: next,
    state: statePacket(next, metrics, settings, context, random),
    telemetry: telemetryPacket(next, latencyMs, settings, context, random),
    notes,
  };
}

function statePacket(
  snapshot: RunSnapshot,
  metrics: EpochMetrics,
  settings: TrainingModelSettings,
  context: EpochContext,
  random: () => number,
): SystemStatePacket {
  return {
    version: 2,
    runId: settings.runId,
    epoch: snapshot.epoch,
    globalStep: snapshot.globalStep,
    capturedAt: context.capturedAt,
    hardware: { device: 'simulated-gpu-0', utilization: Number((0.75 + random() * 0.2).toFixed(3)), memoryUsedGb: 17.5, memoryTotalGb: 24 },
    seeds: snapshot.seeds.map((seed) => ({
      seedId: seed.seedId,
      stage: seed.stage,
      ...seedReading(seed, random),
      ...(seed.blueprintId ? { blueprintId: seed.blueprintId } : {}),
    })),
    ...metrics,
  };
}

function telemetryPacket(
  snapshot: RunSnapshot,
  latencyMs: number,
  settings: TrainingModelSettings,
  context: EpochContext,
  random: () => number,
): TelemetryPacket {
  const active = snapshot.seeds.filter((seed) => !['DORMANT', 'TERMINATED', 'CULLED', 'EMBARGOED', 'RESETTING'].includes(seed.stage));
  return {
    version: 1,
    source: 'tolaria',
    runId: settings.runId,
    capturedAt: context.capturedAt,
    health: latencyMs > 18 ? 'DEGRADED' : 'HEALTHY',
    metrics: [
      { name: trainingTelemetry.epochLatencyMs, value: latencyMs, unit: 'ms', labels: { epoch: String(snapshot.epoch) } },
      { name: trainingTelemetry.isolationViolations, value: snapshot.isolationViolations },
      { name: trainingTelemetry.queueDepth, value: Math.floor(random() * 300) },
      { name: trainingTelemetry.conservativeMode, value: context.conservative ? 1 : 0 },
      { name: 'seeds_active', value: active.length },
    ],
    events: [],
  };
}
