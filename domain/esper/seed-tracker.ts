/**
 * Seed lifecycles as a training run reports them: each seed's stage and the epoch it entered it, and a bounded
 * history of transitions. A transition the lifecycle forbids (`canTransitionSeed`) is recorded as not allowed and
 * reported, never silently accepted. Pure data and functions.
 */
import { canTransitionSeed, seedStages, type SeedStage } from '../../contracts/esper/lifecycle';
import type { SeedView } from '../../contracts/esper/training-run';

export interface SeedTransition {
  seedId: string;
  from: SeedStage;
  to: SeedStage;
  epoch: number;
  allowed: boolean;
}

export interface SeedBook {
  seeds: Record<string, SeedView>;
  /** Newest last, at most `TRANSITIONS_KEPT`. */
  transitions: SeedTransition[];
}

export const TRANSITIONS_KEPT = 30;

export const emptySeedBook = (): SeedBook => ({ seeds: {}, transitions: [] });

/** A seed as one state packet reports it. */
export interface ReportedSeed {
  seedId: string;
  stage: SeedStage;
  gradientNorm: number;
  riskScore: number;
  blueprintId?: string;
}

/** Whether `to` is reachable from `from` in at most `steps` commanded transitions (epochs may be skipped). */
export function reachableWithin(from: SeedStage, to: SeedStage, steps: number): boolean {
  let frontier: SeedStage[] = [from];
  for (let step = 0; step < steps && frontier.length > 0; step += 1) {
    const next = new Set<SeedStage>();
    for (const stage of frontier) {
      for (const candidate of nextStages(stage)) {
        if (candidate === to) return true;
        next.add(candidate);
      }
    }
    frontier = [...next];
  }
  return false;
}

const nextStages = (stage: SeedStage) => seedStages.filter((to) => canTransitionSeed(stage, to));

/**
 * Takes the seeds of the state packet at `epoch`, `epochsSince` epochs after the previous one; updates `book` in
 * place and returns the transitions it saw. After a checkpoint restore (`restored`), seeds take their restored
 * stages without judgement: the run went back in time, nobody commanded those moves.
 */
export function trackSeeds(
  book: SeedBook,
  reported: readonly ReportedSeed[],
  epoch: number,
  options: { epochsSince: number; restored: boolean },
): SeedTransition[] {
  const moves: SeedTransition[] = [];
  const seeds: Record<string, SeedView> = {};
  for (const seed of reported) {
    const known = book.seeds[seed.seedId];
    const changed = known !== undefined && known.stage !== seed.stage;
    if (changed && !options.restored) {
      const allowed = reachableWithin(known.stage, seed.stage, Math.max(1, options.epochsSince));
      moves.push({ seedId: seed.seedId, from: known.stage, to: seed.stage, epoch, allowed });
    }
    seeds[seed.seedId] = {
      seedId: seed.seedId,
      stage: seed.stage,
      ...(seed.blueprintId ? { blueprintId: seed.blueprintId } : {}),
      stageSinceEpoch: known && !changed ? known.stageSinceEpoch : epoch,
      gradientNorm: seed.gradientNorm,
      riskScore: seed.riskScore,
    };
  }
  book.seeds = seeds;
  book.transitions = [...book.transitions, ...moves].slice(-TRANSITIONS_KEPT);
  return moves;
}

/** How many seeds are in each stage (stages without seeds left out). */
export function countStages(book: SeedBook): Partial<Record<SeedStage, number>> {
  const counts: Partial<Record<SeedStage, number>> = {};
  for (const seed of Object.values(book.seeds)) counts[seed.stage] = (counts[seed.stage] ?? 0) + 1;
  return counts;
}
