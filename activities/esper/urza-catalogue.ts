/**
 * Urza's catalogue as the relay keeps it: one entry per blueprint (its lifecycle stage and the evidence for it)
 * and one per compiled kernel. Nothing is deleted: a superseded state moves into the entry's history, a kernel
 * that is no longer wanted is ARCHIVED. The kernel entry also names its compile job, which is how a safety
 * sheet (it carries only the kernel id) finds its pipeline again.
 */
import type { BlueprintPipelineReport } from '../../contracts/esper/blueprint-pipeline';
import type { KernelReady } from '../../contracts/esper/kernels';
import { catalogueBlueprintIds, type BlueprintStage, type BlueprintTier } from '../../contracts/esper/lifecycle';
import type { ActivityDeps } from '../deps';
import type { StateStore } from '../../stores/state-store';

const HISTORY_KEPT = 50;

export interface BlueprintEntry {
  blueprintId: string;
  tier: BlueprintTier;
  stage: BlueprintStage;
  /** The pipeline run (workflow id) that wrote this state. */
  updatedBy: string;
  updatedAt: string;
  reason?: string;
  kernelId?: string;
  safety?: BlueprintPipelineReport['safety'];
  latencyMs?: BlueprintPipelineReport['latencyMs'];
  approvedBy?: string;
  /** Earlier states, oldest first. */
  history: { stage: BlueprintStage; at: string; by: string; reason?: string }[];
}

export type KernelStage = 'PENDING_BENCHMARKING' | 'VALIDATED' | 'ARCHIVED';

export interface KernelEntry {
  kernelId: string;
  blueprintId: string;
  /** The compile job that produced it: the pipeline's workflow id. */
  jobId: string;
  artifactRef: string;
  checksum: string;
  stage: KernelStage;
  updatedAt: string;
  reason?: string;
}

/** A blueprint's new state; the entry's other fields are carried over unless given. */
export type BlueprintStageInput = Omit<BlueprintEntry, 'updatedAt' | 'history'>;

const blueprintKey = (blueprintId: string) => `urza-blueprint:${blueprintId}`;
const kernelKey = (kernelId: string) => `urza-kernel:${kernelId}`;

/** A blueprint's catalogue entry, if any pipeline ever wrote one. */
export const readBlueprintEntry = (store: StateStore, blueprintId: string) => store.read<BlueprintEntry>(blueprintKey(blueprintId));
/** Every blueprint some pipeline wrote, most recently updated first (Karn's catalogue is fixed: 50 reads at most). */
export async function listBlueprintEntries(store: StateStore): Promise<BlueprintEntry[]> {
  const entries = await Promise.all(catalogueBlueprintIds.map((blueprintId) => readBlueprintEntry(store, blueprintId)));
  return entries.filter((entry) => entry !== undefined).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}
/** A kernel's catalogue entry, if a pipeline registered it. */
export const readKernelEntry = (store: StateStore, kernelId: string) => store.read<KernelEntry>(kernelKey(kernelId));

/** The catalogue activities: every write returns what it replaced, so its compensation can put it back. */
export function createCatalogueActivities({ store, clock = Date.now }: ActivityDeps) {
  const now = () => new Date(clock()).toISOString();

  async function writeBlueprint(next: BlueprintStageInput): Promise<{ previous?: BlueprintEntry }> {
    let previous: BlueprintEntry | undefined;
    await store.update<BlueprintEntry>(blueprintKey(next.blueprintId), (current) => {
      previous = current;
      const history = current
        ? [...current.history, { stage: current.stage, at: current.updatedAt, by: current.updatedBy, reason: current.reason }]
        : [];
      return { ...next, updatedAt: now(), history: history.slice(-HISTORY_KEPT) };
    });
    return { previous };
  }

  async function writeKernel(
    kernelId: string,
    change: (current: KernelEntry | undefined) => KernelEntry,
  ): Promise<{ previous?: KernelEntry }> {
    let previous: KernelEntry | undefined;
    await store.update<KernelEntry>(kernelKey(kernelId), (current) => {
      previous = current;
      return change(current);
    });
    return { previous };
  }

  /** Moves a blueprint to `stage` (COMPILING, INVALID, REJECTED, …). */
  const recordBlueprintStage = (input: BlueprintStageInput) => writeBlueprint(input);

  /** Puts back an entry a run replaced; with none, the blueprint is UNVALIDATED again, as before any run. */
  async function restoreBlueprintEntry(input: { entry?: BlueprintEntry; blueprintId: string; tier: BlueprintTier; workflowId: string }) {
    const { entry, blueprintId, tier, workflowId } = input;
    if (!entry)
      return writeBlueprint({ blueprintId, tier, stage: 'UNVALIDATED', updatedBy: workflowId, reason: `restored by ${workflowId}` });
    // writeBlueprint sets updatedAt and history afresh, so the restored state lands on top of the current history.
    return writeBlueprint(entry);
  }

  /** Records a compiled kernel, PENDING_BENCHMARKING, under the job that produced it. Idempotent. */
  async function registerKernel({
    kernel,
    jobId,
  }: {
    kernel: Pick<KernelReady, 'kernelId' | 'blueprintId' | 'artifactRef' | 'checksum'>;
    jobId: string;
  }) {
    return writeKernel(kernel.kernelId, () => ({ ...kernel, jobId, stage: 'PENDING_BENCHMARKING', updatedAt: now() }));
  }

  /** Archives a kernel (compensation: it must not be used, but nothing is deleted). */
  async function archiveKernel({ kernelId, reason }: { kernelId: string; reason: string }) {
    if (!(await readKernelEntry(store, kernelId))) return { previous: undefined };
    return writeKernel(kernelId, (current) => ({ ...current!, stage: 'ARCHIVED', reason, updatedAt: now() }));
  }

  /** The catalogue update that ends a successful run: the blueprint and its kernel become VALIDATED. */
  async function publishToCatalogue(input: BlueprintStageInput & { kernelId: string }) {
    const { previous: previousKernel } = await writeKernel(input.kernelId, (current) => ({
      ...current!,
      stage: 'VALIDATED',
      updatedAt: now(),
    }));
    const { previous: previousBlueprint } = await writeBlueprint(input);
    return { previousBlueprint, previousKernel };
  }

  /** Undoes `publishToCatalogue`: both entries go back to what they were. */
  async function revertCatalogueUpdate(input: {
    blueprintId: string;
    tier: BlueprintTier;
    workflowId: string;
    previousBlueprint?: BlueprintEntry;
    previousKernel?: KernelEntry;
  }) {
    if (input.previousKernel) await writeKernel(input.previousKernel.kernelId, () => ({ ...input.previousKernel!, updatedAt: now() }));
    return restoreBlueprintEntry({ ...input, entry: input.previousBlueprint });
  }

  return { recordBlueprintStage, restoreBlueprintEntry, registerKernel, archiveKernel, publishToCatalogue, revertCatalogueUpdate };
}
