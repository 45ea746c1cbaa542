/**
 * The alert rules of a training run, each a pure function from what was just observed to a verdict (see
 * `alert-book.ts`). Every rule has hysteresis: the condition that clears an alert is stricter than the negation of
 * the one that raised it, so a value at the edge holds the alert where it is instead of flapping.
 */
import type { TrainingRunSettings } from '../../contracts/esper/training-run';
import type { Verdict } from './alert-book';
import type { SeedTransition, ReportedSeed } from './seed-tracker';
import { validationStreak, type TrainingWindow } from './training-window';

/** Consecutive checks over (and within) the epoch-latency budget. */
export interface LatencyStreak {
  over: number;
  within: number;
}

/** Counts one latency check into the streaks. */
export function countLatency(streak: LatencyStreak, latencyMs: number, budgetMs: number): LatencyStreak {
  return latencyMs > budgetMs ? { over: streak.over + 1, within: 0 } : { over: 0, within: streak.within + 1 };
}

/** Over budget `epochLatencyChecks` times in a row raises it; within budget as many times in a row clears it. */
export function epochLatencyVerdict(streak: LatencyStreak, lastMs: number, settings: TrainingRunSettings): Verdict {
  const { epochLatencyBudgetMs: budget, epochLatencyChecks: checks } = settings;
  const state = streak.over >= checks ? 'on' : streak.within >= checks ? 'off' : 'hold';
  return {
    rule: 'epoch_latency',
    state,
    severity: 'WARNING',
    message: `epoch latency over the ${budget} ms budget for ${streak.over} checks in a row (last ${round(lastMs)} ms)`,
  };
}

/** Validation loss rising `divergenceEpochs` epochs in a row raises it; falling two epochs in a row clears it. */
export function divergenceVerdict(window: TrainingWindow, settings: TrainingRunSettings): Verdict {
  const rising = validationStreak(window, 'rising');
  const newest = window.epochs.at(-1);
  const state = rising >= settings.divergenceEpochs ? 'on' : validationStreak(window, 'falling') >= 2 ? 'off' : 'hold';
  return {
    rule: 'divergence',
    state,
    severity: 'CRITICAL',
    message: `validation loss rising for ${rising} epochs in a row (now ${round(newest?.validationLoss ?? 0, 4)} at epoch ${newest?.epoch ?? 0})`,
  };
}

/** Margin below the risk threshold a seed must fall to before its alert clears. */
export const SEED_RISK_CLEAR_MARGIN = 0.1;

/** One verdict per reported seed: risk above the threshold raises; below it by the margin clears. */
export function seedRiskVerdicts(seeds: readonly ReportedSeed[], settings: TrainingRunSettings): Verdict[] {
  const threshold = settings.seedRiskThreshold;
  return seeds.map((seed) => ({
    rule: 'seed_risk',
    subject: seed.seedId,
    state: seed.riskScore > threshold ? 'on' : seed.riskScore <= threshold - SEED_RISK_CLEAR_MARGIN ? 'off' : 'hold',
    severity: 'WARNING',
    message: `seed ${seed.seedId}${seed.blueprintId ? ` (${seed.blueprintId})` : ''} has risk score ${round(seed.riskScore, 2)}, above ${threshold}`,
  }));
}

/** A forbidden move raises an alert about the seed; its next allowed move clears it. */
export function transitionVerdicts(moves: readonly SeedTransition[]): Verdict[] {
  return moves.map((move) => ({
    rule: 'illegal_transition',
    subject: move.seedId,
    state: move.allowed ? 'off' : 'on',
    severity: 'WARNING',
    message: `seed ${move.seedId} went ${move.from} → ${move.to} at epoch ${move.epoch}, which its lifecycle forbids`,
  }));
}

/** More isolation violations than allowed raises it (CRITICAL: seeds leak into the host); back within clears. */
export function isolationVerdict(violations: number, settings: TrainingRunSettings): Verdict {
  return {
    rule: 'isolation_violations',
    state: violations > settings.maxIsolationViolations ? 'on' : 'off',
    severity: 'CRITICAL',
    message: `${violations} isolation violations (more than ${settings.maxIsolationViolations})`,
  };
}

/** Share of the maximum a queue must drain below before its alert clears. */
export const QUEUE_CLEAR_SHARE = 0.8;

/** A queue deeper than allowed raises it; below 80 % of the limit clears it. */
export function queueDepthVerdict(depth: number, settings: TrainingRunSettings): Verdict {
  const max = settings.maxQueueDepth;
  return {
    rule: 'queue_depth',
    state: depth > max ? 'on' : depth < max * QUEUE_CLEAR_SHARE ? 'off' : 'hold',
    severity: 'WARNING',
    message: `queue depth ${depth} (more than ${max})`,
  };
}

function round(value: number, digits = 1): string {
  return value.toFixed(digits);
}
