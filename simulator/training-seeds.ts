/**
 * The simulator's Kasmina for one training run: seed slots whose seeds move one step of the lifecycle per epoch at
 * most, through the gates G0–G5, each passing or failing from the seeded generator. A failed gate culls the seed:
 * CULLED → EMBARGOED (for `embargoEpochs`) → RESETTING → DORMANT. Dormant seeds germinate blueprints from Karn's
 * catalogue (SAFE mostly, some EXPERIMENTAL, never HIGH_RISK); in conservative mode nothing new germinates.
 * A fossilised seed is retired after a while and its slot grows a new seed. Pure functions.
 */
import type { SeedGate, SeedStage } from '../contracts/esper/lifecycle';
import { karnCatalogue, karnBlueprint } from './karn-catalogue';
import type { Random } from './random';

export interface SimulatedSeed {
  seedId: string;
  slot: number;
  /** Seeds grown in this slot so far; names the seed (`seed-<slot>-<generation>`). */
  generation: number;
  stage: SeedStage;
  blueprintId?: string;
  epochsInStage: number;
}

/** Epochs a seed spends in an active stage before its next gate is tried. */
const EPOCHS_PER_STAGE = 2;
/** Epochs a fossilised seed serves before its slot is reused. */
const FOSSILIZED_EPOCHS = 15;
const GERMINATION_CHANCE = 0.15;
const EXPERIMENTAL_SHARE = 0.25;

/** The forward steps: the gate that guards each, and where it leads. */
const forward: Partial<Record<SeedStage, { gate: SeedGate | 'promotion'; to: SeedStage }>> = {
  GERMINATED: { gate: 'G1', to: 'TRAINING' },
  TRAINING: { gate: 'G2', to: 'BLENDING' },
  BLENDING: { gate: 'G3', to: 'SHADOWING' },
  SHADOWING: { gate: 'G4', to: 'PROBATIONARY' },
  PROBATIONARY: { gate: 'promotion', to: 'FOSSILIZED' },
};

export const newSeed = (slot: number, generation = 0): SimulatedSeed => ({
  seedId: `seed-${slot}-${generation}`,
  slot,
  generation,
  stage: 'DORMANT',
  epochsInStage: 0,
});

export interface SeedStepContext {
  conservative: boolean;
  embargoEpochs: number;
}

/** One epoch of one seed: the seed afterwards, and a note when it moved. */
export function stepSeed(seed: SimulatedSeed, random: Random, context: SeedStepContext): { seed: SimulatedSeed; note?: string } {
  const stay = { seed: { ...seed, epochsInStage: seed.epochsInStage + 1 } };
  const move = (stage: SeedStage, note: string, blueprintId = seed.blueprintId) => ({
    seed: { ...seed, stage, epochsInStage: 0, ...(blueprintId ? { blueprintId } : { blueprintId: undefined }) },
    note: `${seed.seedId} ${note}`,
  });
  switch (seed.stage) {
    case 'DORMANT': {
      if (context.conservative || random() >= GERMINATION_CHANCE) return stay;
      const blueprintId = pickBlueprint(random);
      return random() < 0.95 ? move('GERMINATED', `passed G0, germinated ${blueprintId}`, blueprintId) : stay;
    }
    case 'CULLED':
      return move('EMBARGOED', `embargoed for ${context.embargoEpochs} epochs`);
    case 'EMBARGOED':
      return seed.epochsInStage + 1 >= context.embargoEpochs ? move('RESETTING', 'embargo over, resetting') : stay;
    case 'RESETTING':
      return random() < 0.95 ? move('DORMANT', 'passed G5, dormant again', '') : stay;
    case 'FOSSILIZED':
      return seed.epochsInStage + 1 >= FOSSILIZED_EPOCHS ? move('TERMINATED', 'retired') : stay;
    case 'TERMINATED':
      return { seed: newSeed(seed.slot, seed.generation + 1), note: `slot ${seed.slot} grows a new seed` };
    default: {
      const step = forward[seed.stage]!;
      if (seed.epochsInStage + 1 < EPOCHS_PER_STAGE) return stay;
      return random() < passChance(seed.blueprintId)
        ? move(step.to, `passed ${step.gate} → ${step.to}`)
        : move('CULLED', `failed ${step.gate} in ${seed.stage}: culled`);
    }
  }
}

/** SAFE blueprints pass a gate 93 % of the time, EXPERIMENTAL ones 80 %. */
function passChance(blueprintId: string | undefined): number {
  return karnBlueprint(blueprintId ?? '')?.tier === 'EXPERIMENTAL' ? 0.8 : 0.93;
}

function pickBlueprint(random: Random): string {
  const tier = random() < EXPERIMENTAL_SHARE ? 'EXPERIMENTAL' : 'SAFE';
  const candidates = karnCatalogue.filter((blueprint) => blueprint.tier === tier);
  return candidates[Math.floor(random() * candidates.length)]!.blueprintId;
}

/** What a state packet reports about a seed: its gradient norm and Urabrask-style risk, drawn around its blueprint. */
export function seedReading(seed: SimulatedSeed, random: Random): { gradientNorm: number; riskScore: number } {
  const blueprint = karnBlueprint(seed.blueprintId ?? '');
  if (!blueprint || seed.stage === 'DORMANT') return { gradientNorm: 0, riskScore: 0 };
  const round = (value: number) => Number(value.toFixed(4));
  return { gradientNorm: round(0.4 + random() * 1.6), riskScore: round(Math.min(1, blueprint.baseRisk + random() * 0.1)) };
}
