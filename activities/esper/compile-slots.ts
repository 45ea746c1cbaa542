/**
 * Compile slots: a bounded semaphore in the state store, so the relay never has more blueprints compiling than
 * Tezzeret's queue takes (ESPER.md: 100). Reserving and releasing are idempotent per holder (the pipeline's
 * workflow id), so a retried activity never takes or frees a second slot.
 */
import { failureTypes, retryableFailure } from '../../contracts/errors';
import type { ActivityDeps } from '../deps';
import { requireEsper } from './require-esper';

const SLOTS_KEY = 'esper-slots:compile';
const DEFAULT_CAPACITY = 100;
const DEFAULT_LEASE_MS = 15 * 60_000;
/** While the slots are full, try again this much later (the activity's retry policy backs off beyond it). */
const FULL_RETRY_MS = 1_000;

interface SlotTable {
  holders: { holder: string; since: number }[];
}

export interface CompileSlotInput {
  /** The pipeline's workflow id. */
  holder: string;
}

export interface CompileSlotGrant {
  inUse: number;
  capacity: number;
}

/** `reserveCompileSlot` and `releaseCompileSlot`, over the shared store. */
export function createCompileSlotActivities(deps: ActivityDeps) {
  const { store, clock = Date.now } = deps;

  /** Takes a slot for `holder` (or confirms the one it holds); throws a retryable CapacityExhausted when full. */
  async function reserveCompileSlot({ holder }: CompileSlotInput): Promise<CompileSlotGrant> {
    const esper = requireEsper(deps);
    const capacity = esper.compileSlots ?? DEFAULT_CAPACITY;
    const leaseMs = esper.slotLeaseMs ?? DEFAULT_LEASE_MS;
    let granted = false;
    const table = await store.update<SlotTable>(SLOTS_KEY, (current) => {
      const now = clock();
      // A holder past its lease was terminated without unwinding; its slot is free again.
      const holders = (current?.holders ?? []).filter((h) => now - h.since < leaseMs);
      granted = holders.some((h) => h.holder === holder) || holders.length < capacity;
      if (granted && !holders.some((h) => h.holder === holder)) holders.push({ holder, since: now });
      return { holders };
    });
    if (!granted) {
      throw retryableFailure(failureTypes.capacityExhausted, `all ${capacity} compile slots are taken`, FULL_RETRY_MS);
    }
    return { inUse: table.holders.length, capacity };
  }

  /** Frees `holder`'s slot; releasing a slot it does not hold is a no-op (a retry, or a compensation). */
  async function releaseCompileSlot({ holder }: CompileSlotInput): Promise<{ released: boolean }> {
    let released = false;
    await store.update<SlotTable>(SLOTS_KEY, (current) => {
      const holders = current?.holders ?? [];
      released = holders.some((h) => h.holder === holder);
      return { holders: holders.filter((h) => h.holder !== holder) };
    });
    return { released };
  }

  return { reserveCompileSlot, releaseCompileSlot };
}
