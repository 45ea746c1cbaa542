/**
 * The simulator's loss curve and epoch-boundary latency for one simulated training run: exponential decay
 * towards a floor with multiplicative noise, occasional plateaus (progress stalls for a few epochs) and bumps
 * (validation loss jumps for an epoch), accuracy rising as loss falls; latency normally 11–16 ms with rare
 * seeded spikes over the 18 ms budget, and spikes forced at chosen epochs for tests. Pure functions of a seeded
 * generator.
 */
import type { Random } from './random';

/** Where the curve starts and settles, and how fast (in epochs of progress) it gets there. */
const INITIAL_LOSS = 2.3;
const FLOOR_LOSS = 0.25;
const DECAY_EPOCHS = 15;
/** Chance per epoch that a plateau starts, and how long it lasts. */
const PLATEAU_CHANCE = 0.04;
const PLATEAU_EPOCHS = 3;
/** Chance per epoch of a validation bump, and its size. */
const BUMP_CHANCE = 0.03;
const BUMP_SIZE = 0.12;

/** The curve's own state, restored with a checkpoint. */
export interface CurveState {
  /** Epochs of effective progress so far (plateau epochs add none). */
  progress: number;
  /** Epochs of plateau still to sit out. */
  plateauLeft: number;
}

export const initialCurve = (): CurveState => ({ progress: 0, plateauLeft: 0 });

export interface EpochMetrics {
  training: { loss: number; accuracy: number };
  validation: { loss: number; accuracy: number };
}

/** One epoch further along the curve: the new curve state and this epoch's metrics. */
export function advanceCurve(curve: CurveState, random: Random): { curve: CurveState; metrics: EpochMetrics } {
  let { progress, plateauLeft } = curve;
  if (plateauLeft > 0) plateauLeft -= 1;
  else if (random() < PLATEAU_CHANCE) plateauLeft = PLATEAU_EPOCHS;
  else progress += 1;
  const clean = FLOOR_LOSS + (INITIAL_LOSS - FLOOR_LOSS) * Math.exp(-progress / DECAY_EPOCHS);
  const noise = () => 1 + (random() * 2 - 1) * 0.02;
  const bump = random() < BUMP_CHANCE ? 1 + BUMP_SIZE : 1;
  const validationLoss = clean * noise() * bump;
  const trainingLoss = clean * 0.92 * noise();
  const learned = 1 - Math.exp(-progress / (DECAY_EPOCHS * 1.2));
  const validationAccuracy = clamp(0.1 + 0.82 * learned * noise() - (bump - 1) / 4);
  const trainingAccuracy = clamp(validationAccuracy + 0.03 * learned);
  return {
    curve: { progress, plateauLeft },
    metrics: {
      training: { loss: round(trainingLoss), accuracy: round(trainingAccuracy) },
      validation: { loss: round(validationLoss), accuracy: round(validationAccuracy) },
    },
  };
}

/** Chance per epoch of an unforced latency spike. */
const SPIKE_CHANCE = 0.01;

/** The epoch-boundary hook's latency in ms: 11–16 normally, 19–30 in a spike (forced, or a rare seeded one). */
export function epochLatencyMs(random: Random, forcedSpike: boolean): number {
  const spike = random() < SPIKE_CHANCE || forcedSpike;
  return round(spike ? 19 + random() * 11 : 11 + random() * 5, 2);
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));
const round = (value: number, digits = 4) => Number(value.toFixed(digits));
