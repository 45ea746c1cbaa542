/**
 * The one compensation helper. Register an undo right after the step it undoes succeeded; on failure, unwind
 * newest first. Pure (no Temporal import), so it is tested without a server; the workflow passes
 * `CancellationScope.nonCancellable` as `shield` so a cancelled run still unwinds completely.
 */
import type { CompensationRecord } from '../contracts/esper/blueprint-pipeline';

export type { CompensationRecord };

interface Compensation {
  name: string;
  undo: () => Promise<unknown>;
}

export interface SagaOptions {
  /** Runs the whole unwinding; a workflow shields it from cancellation. Default: runs it as is. */
  shield?: <T>(unwind: () => Promise<T>) => Promise<T>;
  /** Told about each compensation that failed (the others still run). */
  onFailure?: (name: string, error: unknown) => void;
}

export class Saga {
  private readonly compensations: Compensation[] = [];

  constructor(private readonly options: SagaOptions = {}) {}

  /** Registers `undo` for a step that just succeeded. */
  add(name: string, undo: () => Promise<unknown>): void {
    this.compensations.push({ name, undo });
  }

  /**
   * Drops the newest compensation called `name`: the forward path already undid that step (a compile slot
   * released once the compile is over), so unwinding must not do it again.
   */
  forget(name: string): void {
    const index = this.compensations.map((c) => c.name).lastIndexOf(name);
    if (index >= 0) this.compensations.splice(index, 1);
  }

  /** Names of the registered compensations, oldest first. */
  get pending(): string[] {
    return this.compensations.map((c) => c.name);
  }

  /**
   * Runs every registered compensation once, newest first, and returns what happened in that order. A failing
   * compensation is recorded and the unwinding goes on: one stuck undo must not leave the others undone.
   */
  compensate(): Promise<CompensationRecord[]> {
    const unwind = async () => {
      const records: CompensationRecord[] = [];
      for (const { name, undo } of this.compensations.splice(0).reverse()) {
        try {
          await undo();
          records.push({ name, ok: true });
        } catch (error) {
          this.options.onFailure?.(name, error);
          records.push({ name, ok: false, error: describe(error) });
        }
      }
      return records;
    };
    return this.options.shield ? this.options.shield(unwind) : unwind();
  }
}

/** The most telling message of an error: an activity failure's cause says more than "Activity task failed". */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
