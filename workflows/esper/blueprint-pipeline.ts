/**
 * `blueprintPipelineWorkflow`: one blueprint through Karn → Tezzeret → Urabrask → Urza, as a saga. Each step that
 * changes something registers its undo once it succeeded; a stop (kernel error, hazard, no approval, a timeout),
 * a failed step or a cancellation unwinds them newest first. Deterministic: activities are imported as types
 * only, and every answer from Esper arrives as a signal from the bus ingress.
 *
 * A stop is a decision about the blueprint, so the run completes and returns a report saying why (a failed
 * workflow would sit in `relay failed` waiting for a replay that cannot change Urabrask's verdict). A failed
 * step or a cancellation is not a decision: after unwinding, the run fails or ends cancelled, as Temporal shows it.
 */
import { ApplicationFailure, patched } from '@temporalio/workflow';
import type { BlueprintPipelineInput, BlueprintPipelineReport, PipelineStopCode } from '../../contracts/esper/blueprint-pipeline';
import type { EsperSubsystem } from '../../contracts/esper/common';
import { CONSERVATIVE_MODE_REFUSED } from '../../contracts/esper/health';
import { blueprintIdSchema, blueprintTier, type BlueprintTier } from '../../contracts/esper/lifecycle';
import { failureTypes } from '../../contracts/errors';
import { PipelineRun } from './pipeline-run';
import { awaitApproval, catalogueKernel, compileBlueprint, validateKernel } from './pipeline-stages';
import { reportSubsystemFailure } from './health-reports';
import { stopOf } from './pipeline-stop';
import { gatePreset, runStep } from './presets';

export async function blueprintPipelineWorkflow(input: BlueprintPipelineInput): Promise<BlueprintPipelineReport> {
  const { blueprintId, tier } = selectFromKarn(input.blueprintId);
  const run = new PipelineRun(input, blueprintId, tier);
  // Runs recorded before conservative mode existed never asked; they replay without the check.
  if (tier !== 'SAFE' && patched('esper-conservative-mode-gate')) await refuseInConservativeMode(blueprintId);
  const { report, saga, inbox } = run;
  try {
    const kernel = await compileBlueprint(run);
    await validateKernel(run, kernel);
    if (tier === 'HIGH_RISK') await awaitApproval(run);
    await catalogueKernel(run, kernel);
  } catch (error) {
    run.stop = stopOf(error);
    blameSilentSubsystem(run);
    run.show('compensating', `Unwinding ${saga.pending.length} step(s) after ${run.stop ? run.why : (error as Error).message}`);
    report.compensations = await saga.compensate();
    report.duplicatesIgnored = inbox.duplicatesIgnored;
    if (!run.stop) throw error;
    report.outcome = run.stop.outcome;
    report.stop = { code: run.stop.code, detail: run.stop.detail, retryable: run.stop.retryable };
  }
  report.duplicatesIgnored = inbox.duplicatesIgnored;
  run.show('done', `Done: **${report.outcome}**${report.stop ? ` (${run.why})` : ''}`);
  return report;
}

/** The subsystem a stop blames for not answering in time; the other stops are verdicts on the blueprint. */
const silentSubsystemOf: Partial<Record<PipelineStopCode, EsperSubsystem>> = {
  compile_timeout: 'tezzeret',
  safety_timeout: 'urabrask',
  benchmark_timeout: 'urabrask',
};

/** A subsystem that never answered failed the relay: the health registry counts it (not awaited). */
function blameSilentSubsystem({ stop, workflowId }: PipelineRun): void {
  const silent = stop && silentSubsystemOf[stop.code];
  if (stop && silent) void reportSubsystemFailure({ subsystem: silent, reason: stop.detail, reportId: `${workflowId}.${stop.code}` });
}

/**
 * Conservative mode (a subsystem's circuit breaker is open): only SAFE blueprints compile. Checked before anything
 * is reserved or catalogued, so there is nothing to unwind; the run fails, and a replay once every breaker
 * closed runs it.
 */
async function refuseInConservativeMode(blueprintId: string): Promise<void> {
  const { refusal } = await runStep('checkConservativeMode', gatePreset, `Is Esper in conservative mode? (${blueprintId})`, {
    blueprintId,
  });
  if (refusal) throw ApplicationFailure.create({ type: CONSERVATIVE_MODE_REFUSED, message: refusal, nonRetryable: true });
}

/** Karn: a blueprint of the catalogue BP001–BP050 and its tier. A bad id is the caller's bug: the run fails at once. */
function selectFromKarn(id: string): { blueprintId: string; tier: BlueprintTier } {
  const parsed = blueprintIdSchema.safeParse(id);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: failureTypes.invalidInput,
      message: `not a Karn blueprint: ${JSON.stringify(id)}`,
      nonRetryable: true,
    });
  }
  return { blueprintId: parsed.data, tier: blueprintTier(parsed.data) };
}
