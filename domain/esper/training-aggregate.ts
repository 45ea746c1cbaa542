/**
 * The aggregate of one training run: everything the entity knows, compact enough to carry across
 * continue-as-new, updated by each state or telemetry packet, with the alerts each observation raised or cleared.
 * Pure: times are passed in, nothing is read from a clock.
 */
import type { SystemStatePacket } from '../../contracts/esper/system-state';
import type { TelemetryPacket } from '../../contracts/esper/telemetry';
import { trainingTelemetry, type TrainingRunSettings, type TrainingRunStatus } from '../../contracts/esper/training-run';
import { alertViews, applyVerdicts, clearVanished, emptyAlertBook, type AlertBook, type AlertChange, type Verdict } from './alert-book';
import { countStages, emptySeedBook, trackSeeds, type SeedBook } from './seed-tracker';
import { addEpoch, addLatency, emptyWindow, latencySummary, lossTrend, type TrainingWindow } from './training-window';
import {
  countLatency,
  divergenceVerdict,
  epochLatencyVerdict,
  isolationVerdict,
  queueDepthVerdict,
  seedRiskVerdicts,
  transitionVerdicts,
  type LatencyStreak,
} from './training-rules';

/** The status fields kept as they are; `epoch` is -1 until the first state packet. */
type KeptAsReported = 'runId' | 'phase' | 'epoch' | 'globalStep' | 'lastStateAt' | 'training' | 'validation' | 'conservative';

export interface TrainingAggregate extends Pick<TrainingRunStatus, KeptAsReported | 'packetsTaken' | 'duplicatesIgnored'> {
  window: TrainingWindow;
  latency: LatencyStreak;
  seeds: SeedBook;
  alerts: AlertBook;
  /** Times the epoch went back (checkpoint restores). */
  restores: number;
}

export function newAggregate(runId: string): TrainingAggregate {
  return {
    runId,
    phase: 'RUNNING',
    epoch: -1,
    globalStep: 0,
    lastStateAt: '',
    training: { loss: 0, accuracy: null },
    validation: { loss: 0, accuracy: 0 },
    window: emptyWindow(),
    latency: { over: 0, within: 0 },
    conservative: false,
    seeds: emptySeedBook(),
    alerts: emptyAlertBook(),
    packetsTaken: 0,
    duplicatesIgnored: 0,
    restores: 0,
  };
}

/**
 * Takes a state packet (updating `aggregate` in place); returns the alerts it raised or cleared. A packet of an
 * epoch at or before the current one means a checkpoint was restored: the window forgets the abandoned epochs.
 */
export function observeState(
  aggregate: TrainingAggregate,
  packet: SystemStatePacket,
  settings: TrainingRunSettings,
  atIso: string,
): AlertChange[] {
  const first = aggregate.epoch < 0;
  const restored = !first && packet.epoch <= aggregate.epoch;
  const epochsSince = first ? 1 : packet.epoch - aggregate.epoch;
  Object.assign(aggregate, {
    epoch: packet.epoch,
    globalStep: packet.globalStep,
    lastStateAt: packet.capturedAt,
    training: packet.training,
    validation: packet.validation,
  });
  aggregate.packetsTaken += 1;
  // `?? 0`: an aggregate carried over from before this field existed.
  if (restored) aggregate.restores = (aggregate.restores ?? 0) + 1;
  const sample = { epoch: packet.epoch, trainingLoss: packet.training.loss, validationLoss: packet.validation.loss };
  aggregate.window = addEpoch(aggregate.window, sample, settings.windowEpochs);
  const moves = trackSeeds(aggregate.seeds, packet.seeds, packet.epoch, { epochsSince, restored });
  const present = new Set(packet.seeds.map((seed) => seed.seedId));
  const verdicts: Verdict[] = [
    divergenceVerdict(aggregate.window, settings),
    ...seedRiskVerdicts(packet.seeds, settings),
    ...clearVanished(aggregate.alerts, 'seed_risk', present),
    ...transitionVerdicts(moves),
    ...clearVanished(aggregate.alerts, 'illegal_transition', present),
  ];
  return applyVerdicts(aggregate.alerts, verdicts, atIso);
}

/** Takes a telemetry packet of the run (updating `aggregate` in place); returns the alerts it raised or cleared. */
export function observeTelemetry(
  aggregate: TrainingAggregate,
  packet: TelemetryPacket,
  settings: TrainingRunSettings,
  atIso: string,
): AlertChange[] {
  aggregate.packetsTaken += 1;
  const metric = (name: string) => packet.metrics.find((sample) => sample.name === name)?.value;
  const verdicts: Verdict[] = [];
  const latencyMs = metric(trainingTelemetry.epochLatencyMs);
  if (latencyMs !== undefined) {
    aggregate.window = addLatency(aggregate.window, latencyMs, settings.windowEpochs);
    aggregate.latency = countLatency(aggregate.latency, latencyMs, settings.epochLatencyBudgetMs);
    verdicts.push(epochLatencyVerdict(aggregate.latency, latencyMs, settings));
  }
  const violations = metric(trainingTelemetry.isolationViolations);
  if (violations !== undefined) verdicts.push(isolationVerdict(violations, settings));
  const depth = metric(trainingTelemetry.queueDepth);
  if (depth !== undefined) verdicts.push(queueDepthVerdict(depth, settings));
  const conservative = metric(trainingTelemetry.conservativeMode);
  if (conservative !== undefined) aggregate.conservative = conservative > 0;
  if (packet.events.some((event) => event.name === trainingTelemetry.runFinished)) aggregate.phase = 'FINISHED';
  return applyVerdicts(aggregate.alerts, verdicts, atIso);
}

/** The status query's answer. */
export function statusOf(aggregate: TrainingAggregate): TrainingRunStatus {
  const { runId, phase, globalStep, lastStateAt, training, validation, conservative, seeds, alerts } = aggregate;
  return {
    runId,
    phase,
    epoch: Math.max(0, aggregate.epoch),
    globalStep,
    lastStateAt,
    training,
    validation,
    lossTrend: lossTrend(aggregate.window),
    window: { epochs: aggregate.window.epochs.length, epochLatencyMs: latencySummary(aggregate.window) },
    seeds: Object.values(seeds.seeds),
    seedCounts: countStages(seeds),
    alerts: { active: alertViews(alerts.active), recent: alertViews(alerts.recent) },
    conservative,
    packetsTaken: aggregate.packetsTaken,
    duplicatesIgnored: aggregate.duplicatesIgnored,
    restores: aggregate.restores ?? 0,
    recentTransitions: [...seeds.transitions],
  };
}
