/**
 * The sliding window a training run is judged on: the last N epochs' losses and the last N epoch-boundary
 * latencies. Pure functions over plain data (the window is carried across continue-as-new as it is).
 */

/** One epoch's losses, as its state packet reported them. */
export interface EpochSample {
  epoch: number;
  trainingLoss: number;
  validationLoss: number;
}

export interface TrainingWindow {
  /** Oldest first, one per epoch, at most `size`. */
  epochs: EpochSample[];
  /** Epoch-boundary latencies in ms, oldest first, at most `size`. */
  latenciesMs: number[];
}

export const emptyWindow = (): TrainingWindow => ({ epochs: [], latenciesMs: [] });

/**
 * Adds an epoch. An epoch at or before the newest one means the run went back (a checkpoint was restored): the
 * samples from that epoch on describe a timeline that no longer exists, so they are dropped first.
 */
export function addEpoch(window: TrainingWindow, sample: EpochSample, size: number): TrainingWindow {
  const kept = window.epochs.filter((known) => known.epoch < sample.epoch);
  return { ...window, epochs: [...kept, sample].slice(-size) };
}

/** Adds one epoch-boundary latency. */
export function addLatency(window: TrainingWindow, latencyMs: number, size: number): TrainingWindow {
  return { ...window, latenciesMs: [...window.latenciesMs, latencyMs].slice(-size) };
}

/** The nearest-rank percentile `p` (0..100) of `values`; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Last, p50 and p95 of the window's latencies. */
export function latencySummary(window: TrainingWindow): { last: number | null; p50: number | null; p95: number | null } {
  return {
    last: window.latenciesMs.at(-1) ?? null,
    p50: percentile(window.latenciesMs, 50),
    p95: percentile(window.latenciesMs, 95),
  };
}

export type LossTrend = 'improving' | 'flat' | 'worsening';

/**
 * Which way validation loss is heading: the least-squares slope over the window, relative to the mean loss, so a
 * tiny loss late in training and a large one early are judged alike. Within ±0.5 % per epoch counts as flat.
 */
export function lossTrend(window: TrainingWindow, flatBand = 0.005): LossTrend {
  const points = window.epochs;
  if (points.length < 3) return 'flat';
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.epoch, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.validationLoss, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.epoch - meanX) * (p.validationLoss - meanY);
    variance += (p.epoch - meanX) ** 2;
  }
  if (variance === 0 || meanY === 0) return 'flat';
  const relativeSlope = covariance / variance / meanY;
  if (relativeSlope < -flatBand) return 'improving';
  if (relativeSlope > flatBand) return 'worsening';
  return 'flat';
}

/** How many of the newest epochs in a row moved validation loss in `direction` (up: rising, down: falling). */
export function validationStreak(window: TrainingWindow, direction: 'rising' | 'falling'): number {
  let count = 0;
  for (let i = window.epochs.length - 1; i > 0; i -= 1) {
    const change = window.epochs[i]!.validationLoss - window.epochs[i - 1]!.validationLoss;
    if (direction === 'rising' ? change > 0 : change < 0) count += 1;
    else break;
  }
  return count;
}
