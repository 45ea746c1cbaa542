/**
 * The training-run entity's Temporal names and shapes: one long-running `trainingRunWorkflow` per Esper training
 * run, fed by the bus ingress (state and telemetry as signals) and read by chat commands, Claude tools and the
 * health workflow (the status query). Definitions and constants only: safe for workflows.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { EsperReply } from './blueprint-pipeline';
import type { SeedStage } from './lifecycle';
import type { SystemStatePacket } from './system-state';
import type { TelemetryPacket } from './telemetry';

/** Workflow id of a run's entity: `training-run-<runId>`. Every packet of the run maps to it. */
export function trainingRunWorkflowId(runId: string): string {
  return `training-run-${runId}`;
}

/** Names in Tolaria's telemetry that the entity reads (the simulator writes them too). */
export const trainingTelemetry = {
  /** Metric: wall time of the last epoch-boundary hook, ms (budget 18 ms, ESPER.md). */
  epochLatencyMs: 'epoch_latency_ms',
  /** Metric: isolation violations between seeds and host counted so far in this run. */
  isolationViolations: 'isolation_violations',
  /** Metric: depth of a queue the run depends on (Oona's backlog, a compile queue). */
  queueDepth: 'queue_depth',
  /** Metric: 1 while the run is conservative (a CIRCUIT_BREAKER is open: no new germinations, SAFE tier only), else 0. */
  conservativeMode: 'conservative_mode',
  /** Event: the run finished (training complete or stopped for good); the entity completes. */
  runFinished: 'run_finished',
} as const;

/** The alert rules the entity evaluates on every observation. */
export const trainingAlertRules = [
  /** Epoch latency over budget for several consecutive checks. */
  'epoch_latency',
  /** Validation loss rising for several epochs in a row. */
  'divergence',
  /** A seed's risk score above the threshold (one alert per seed). */
  'seed_risk',
  /** More isolation violations than allowed. */
  'isolation_violations',
  /** A queue deeper than allowed. */
  'queue_depth',
  /** A seed moved in a way its lifecycle forbids (a controller or reporting bug). */
  'illegal_transition',
] as const;
export type TrainingAlertRule = (typeof trainingAlertRules)[number];

export type AlertSeverity = 'WARNING' | 'CRITICAL';

/** One alert as shown to people: raised while its condition holds, cleared when it ended. */
export interface AlertView {
  rule: TrainingAlertRule;
  severity: AlertSeverity;
  message: string;
  raisedAt: string;
  clearedAt?: string;
  /** What the alert is about when a rule can fire once per thing (a seed id for `seed_risk`). */
  subject?: string;
}

/** Thresholds and sizes of one entity; every field has a default (`defaultTrainingRunSettings`). */
export interface TrainingRunSettings {
  /** Epochs kept in the aggregation window. */
  windowEpochs: number;
  /** Epoch-boundary latency budget, ms, and how many consecutive checks over it raise the alert. */
  epochLatencyBudgetMs: number;
  epochLatencyChecks: number;
  /** Consecutive epochs of rising validation loss that count as divergence. */
  divergenceEpochs: number;
  /** A seed's risk score above this raises `seed_risk`. */
  seedRiskThreshold: number;
  /** More isolation violations than this raise `isolation_violations`. */
  maxIsolationViolations: number;
  /** A queue deeper than this raises `queue_depth`. */
  maxQueueDepth: number;
  /** Signals taken before the entity continues as new (Temporal may suggest it earlier). */
  signalsPerRun: number;
  /** No packet for this long ends the entity; the next packet starts a new one. */
  idleTimeoutMs: number;
}

export const defaultTrainingRunSettings: Readonly<TrainingRunSettings> = {
  windowEpochs: 20,
  epochLatencyBudgetMs: 18,
  epochLatencyChecks: 3,
  divergenceEpochs: 4,
  seedRiskThreshold: 0.8,
  maxIsolationViolations: 3,
  maxQueueDepth: 4000,
  signalsPerRun: 500,
  idleTimeoutMs: 60 * 60_000,
};

/** What starts an entity (by signal-with-start; the packet comes as the signal). */
export interface TrainingRunInput {
  runId: string;
  /** Overrides of `defaultTrainingRunSettings` (tests shrink them). */
  settings?: Partial<TrainingRunSettings>;
}

export type TrainingRunPhase = 'RUNNING' | 'FINISHED';

export interface SeedView {
  seedId: string;
  stage: SeedStage;
  blueprintId?: string;
  /** The epoch at which the seed entered `stage`. */
  stageSinceEpoch: number;
  gradientNorm: number;
  riskScore: number;
}

/** The entity's answer to `trainingRunStatusQuery`. */
export interface TrainingRunStatus {
  runId: string;
  phase: TrainingRunPhase;
  epoch: number;
  globalStep: number;
  /** `capturedAt` of the newest state packet; empty before the first one. */
  lastStateAt: string;
  training: { loss: number; accuracy: number | null };
  validation: { loss: number; accuracy: number };
  lossTrend: 'improving' | 'flat' | 'worsening';
  window: { epochs: number; epochLatencyMs: { last: number | null; p50: number | null; p95: number | null } };
  seeds: SeedView[];
  seedCounts: Partial<Record<SeedStage, number>>;
  alerts: { active: AlertView[]; recent: AlertView[] };
  /** As Tolaria last reported it (`conservative_mode`): true while a CIRCUIT_BREAKER is open for the run. */
  conservative: boolean;
  /** Packets taken (all continue-as-new runs together), and copies of packets already taken that were ignored. */
  packetsTaken: number;
  duplicatesIgnored: number;
  /** Times the run went back to an earlier epoch (Tolaria restored a checkpoint). */
  restores?: number;
  /** The most recent seed transitions, newest last. */
  recentTransitions: Array<{ seedId: string; from: SeedStage; to: SeedStage; epoch: number; allowed: boolean }>;
}

export const trainingStateSignal = defineSignal<[EsperReply<SystemStatePacket>]>('trainingState');
export const trainingTelemetrySignal = defineSignal<[EsperReply<TelemetryPacket>]>('trainingTelemetry');
export const trainingRunStatusQuery = defineQuery<TrainingRunStatus>('trainingRunStatus');
