/**
 * Lifecycles of seeds (run by Kasmina) and blueprints (Karn → Tezzeret → Urabrask → Urza), as the prototype
 * defines them (ESPER.md). Pure data and functions, safe for workflows.
 */
import { z } from 'zod';

/** A seed's stages, in the order a successful seed passes them. */
export const seedStages = [
  'DORMANT',
  'GERMINATED',
  'TRAINING',
  'BLENDING',
  'SHADOWING',
  'PROBATIONARY',
  'FOSSILIZED',
  'TERMINATED',
  'CULLED',
  'EMBARGOED',
  'RESETTING',
] as const;
export type SeedStage = (typeof seedStages)[number];
export const seedStageSchema = z.enum(seedStages);

/** The gates that guard a seed's forward steps; `G5` guards the way back to DORMANT. */
export const seedGates = {
  G0: 'sanity, before GERMINATED',
  G1: 'gradient health, before TRAINING',
  G2: 'stability, before BLENDING (kernel fetch within ~10 ms)',
  G3: 'interface, before SHADOWING',
  G4: 'system impact, before PROBATIONARY',
  G5: 'reset, before DORMANT again',
} as const;
export type SeedGate = keyof typeof seedGates;

/**
 * Where a seed may go from each stage. Any active stage (GERMINATED..PROBATIONARY) may fail to CULLED; a culled
 * seed is EMBARGOED (~30 s, against thrashing), then RESETTING, then DORMANT again. No transition is autonomous:
 * the controller commands each one at an epoch boundary, so a command naming an impossible step is a bug.
 */
export const seedTransitions: Readonly<Record<SeedStage, readonly SeedStage[]>> = {
  DORMANT: ['GERMINATED'],
  GERMINATED: ['TRAINING', 'CULLED'],
  TRAINING: ['BLENDING', 'CULLED'],
  BLENDING: ['SHADOWING', 'CULLED'],
  SHADOWING: ['PROBATIONARY', 'CULLED'],
  PROBATIONARY: ['FOSSILIZED', 'CULLED'],
  FOSSILIZED: ['TERMINATED'],
  TERMINATED: [],
  CULLED: ['EMBARGOED'],
  EMBARGOED: ['RESETTING'],
  RESETTING: ['DORMANT'],
};

/** Whether a seed may move from `from` to `to` in one commanded step. */
export function canTransitionSeed(from: SeedStage, to: SeedStage): boolean {
  return seedTransitions[from].includes(to);
}

/**
 * A blueprint's way through compilation and validation: UNVALIDATED → COMPILING → INVALID, or a compiled kernel
 * PENDING_BENCHMARKING → VALIDATED | REJECTED. Nothing is deleted: superseded entries become ARCHIVED.
 */
export const blueprintStages = [
  'UNVALIDATED',
  'COMPILING',
  'INVALID',
  'PENDING_BENCHMARKING',
  'VALIDATED',
  'REJECTED',
  'ARCHIVED',
] as const;
export type BlueprintStage = (typeof blueprintStages)[number];
export const blueprintStageSchema = z.enum(blueprintStages);

/** Karn's risk tiers; HIGH_RISK blueprints are quarantined and need approval before use. */
export const blueprintTiers = ['SAFE', 'EXPERIMENTAL', 'HIGH_RISK'] as const;
export type BlueprintTier = (typeof blueprintTiers)[number];
export const blueprintTierSchema = z.enum(blueprintTiers);

/** Karn's fixed prototype catalogue: BP001 … BP050. */
export const blueprintIdSchema = z
  .string()
  .regex(/^BP\d{3}$/, 'must look like BP001')
  .refine((id) => catalogueNumber(id) >= 1 && catalogueNumber(id) <= 50, 'must be in the catalogue BP001-BP050');
export type BlueprintId = z.infer<typeof blueprintIdSchema>;

const catalogueNumber = (id: string) => Number(id.slice(2));

/** Every id in Karn's catalogue, BP001 … BP050. */
export const catalogueBlueprintIds: readonly BlueprintId[] = Array.from(
  { length: 50 },
  (_, index) => `BP${String(index + 1).padStart(3, '0')}`,
);

/** The tier of a catalogue blueprint: SAFE 001–035, EXPERIMENTAL 036–042, HIGH_RISK 043–050. */
export function blueprintTier(id: BlueprintId): BlueprintTier {
  const n = catalogueNumber(id);
  if (n <= 35) return 'SAFE';
  if (n <= 42) return 'EXPERIMENTAL';
  return 'HIGH_RISK';
}
