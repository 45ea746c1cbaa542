/**
 * The pipeline's stages. Each registers the undo of a step right after the step succeeded and stops the run
 * (`stopRun`) when Esper's answer, or its absence within the budget, rules the blueprint out.
 */
import { condition } from '@temporalio/workflow';
import type { KernelReady } from '../../contracts/esper/kernels';
import { judgeSafetySheet, stopRun } from './pipeline-stop';
import { isoIn, seconds, type PipelineRun } from './pipeline-run';
import { cataloguePreset, compensationPreset, compileSlotPreset, esperBusPreset, runStep } from './presets';

const RELEASE_SLOT = 'release the compile slot';

/** Tezzeret: a compile slot, the blueprint COMPILING, the request, and its answer within the compile budget. */
export async function compileBlueprint(run: PipelineRun): Promise<KernelReady> {
  const { saga, workflowId, blueprintId, tier, strategy, budgets, inbox } = run;
  run.show('reserving_slot', `Waiting for a compile slot for **${blueprintId}** (${tier})`);
  await runStep('reserveCompileSlot', compileSlotPreset, `Reserve a compile slot for ${blueprintId}`, { holder: workflowId });
  saga.add(RELEASE_SLOT, () => runStep('releaseCompileSlot', compensationPreset, 'Release the compile slot', { holder: workflowId }));

  const { previous } = await runStep('recordBlueprintStage', cataloguePreset, `Catalogue ${blueprintId} as COMPILING`, {
    ...run.entry,
    stage: 'COMPILING',
  });
  // The terminal stage depends on why the run stopped, which is known only when unwinding.
  saga.add(`close the catalogue entry of ${blueprintId}`, () =>
    run.stop
      ? runStep('recordBlueprintStage', compensationPreset, `Catalogue ${blueprintId} as ${run.stop.outcome}`, {
          ...run.entry,
          stage: run.stop.outcome,
          reason: run.why,
        })
      : runStep('restoreBlueprintEntry', compensationPreset, `Restore the catalogue entry of ${blueprintId}`, {
          blueprintId,
          tier,
          workflowId,
          entry: previous,
        }),
  );

  await runStep('publishCompileRequest', esperBusPreset, `Ask Tezzeret to compile ${blueprintId} (${strategy})`, {
    jobId: workflowId,
    blueprintId,
    tier,
    strategy,
    requestedAt: isoIn(0),
    deadline: isoIn(budgets.compile),
  });
  run.show(
    'compiling',
    `Waiting for **Tezzeret** to compile ${blueprintId} (${strategy}, budget ${seconds(budgets.compile)}, until ${isoIn(budgets.compile)})`,
  );
  const answered = await condition(() => inbox.compile !== undefined, budgets.compile);
  // The compile is over either way: the slot goes to the next blueprint now, not when this run ends.
  await runStep('releaseCompileSlot', cataloguePreset, 'Release the compile slot', { holder: workflowId });
  saga.forget(RELEASE_SLOT);

  if (!answered || !inbox.compile) return stopRun('compile_timeout', `Tezzeret did not answer within ${seconds(budgets.compile)}`, true);
  if (inbox.compile.kind === 'error') {
    const { code, message, retryable } = inbox.compile.message;
    return stopRun('kernel_error', `Tezzeret failed (${code}): ${message}`, retryable);
  }
  const kernel = inbox.compile.message;
  run.report.kernel = { kernelId: kernel.kernelId, artifactRef: kernel.artifactRef, checksum: kernel.checksum };
  inbox.expectKernel(kernel.kernelId);
  await runStep('registerKernel', cataloguePreset, `Register kernel ${kernel.kernelId} in Urza`, { kernel, jobId: workflowId });
  saga.add(`archive kernel ${kernel.kernelId}`, () =>
    runStep('archiveKernel', compensationPreset, `Archive kernel ${kernel.kernelId}`, { kernelId: kernel.kernelId, reason: run.why }),
  );
  return kernel;
}

/** Urabrask: the validation request and the safety sheet, judged against the run's limits. */
export async function validateKernel(run: PipelineRun, kernel: KernelReady): Promise<void> {
  const { workflowId, blueprintId, budgets, inbox, input } = run;
  const { kernelId, artifactRef, checksum } = kernel;
  await runStep('requestValidation', esperBusPreset, `Ask Urabrask to validate kernel ${kernelId}`, {
    requestId: workflowId,
    kernelId,
    blueprintId,
    artifactRef,
    checksum,
    benchmark: true,
    requestedAt: isoIn(0),
    deadline: isoIn(budgets.safety + budgets.benchmark),
  });
  run.show('validating', `Waiting for **Urabrask's safety sheet** on kernel ${kernelId} (budget ${seconds(budgets.safety)})`);
  if (!(await condition(() => inbox.safety !== undefined, budgets.safety)) || !inbox.safety) {
    return stopRun('safety_timeout', `Urabrask sent no safety sheet within ${seconds(budgets.safety)}`, true);
  }
  const { riskScore, hazardBand, handlingClass, decision } = inbox.safety;
  run.report.safety = { riskScore, hazardBand, handlingClass, decision };
  judgeSafetySheet(inbox.safety, { maxHazardBand: input.maxHazardBand ?? 'HIGH', maxRiskScore: input.maxRiskScore ?? 0.8 });
}

/** HIGH_RISK blueprints: an admin decides, within the approval budget; silence is a no. */
export async function awaitApproval(run: PipelineRun): Promise<void> {
  const { blueprintId, budgets, input, report } = run;
  run.show(
    'awaiting_approval',
    `**Waiting for an admin to approve** HIGH_RISK ${blueprintId} (hazard ${report.safety?.hazardBand}, risk ${report.safety?.riskScore.toFixed(2)}); ` +
      `approvers: ${input.approvers.join(', ') || 'none'}; until ${isoIn(budgets.approval)}`,
  );
  const approval = await run.desk.ask(budgets.approval);
  if (!approval) return stopRun('approval_timeout', `no admin approved ${blueprintId} within ${seconds(budgets.approval)}`);
  report.approval = approval;
  if (approval.decision === 'DENIED') stopRun('approval_denied', `user ${approval.decidedBy} denied ${blueprintId}`);
}

/** Urabrask's benchmark report, then Urza: the catalogue update that makes the kernel usable. */
export async function catalogueKernel(run: PipelineRun, kernel: KernelReady): Promise<void> {
  const { workflowId, blueprintId, tier, budgets, inbox, report } = run;
  run.show('benchmarking', `Waiting for **Urabrask's benchmark** of kernel ${kernel.kernelId} (budget ${seconds(budgets.benchmark)})`);
  if (!(await condition(() => inbox.benchmark !== undefined, budgets.benchmark)) || !inbox.benchmark) {
    return stopRun('benchmark_timeout', `Urabrask sent no benchmark within ${seconds(budgets.benchmark)}`, true);
  }
  report.latencyMs = inbox.benchmark.latencyMs;

  run.show('cataloguing', `Cataloguing ${blueprintId} as VALIDATED`);
  const replaced = await runStep(
    'publishToCatalogue',
    cataloguePreset,
    `Catalogue ${blueprintId} as VALIDATED (kernel ${kernel.kernelId})`,
    {
      ...run.entry,
      stage: 'VALIDATED',
      kernelId: kernel.kernelId,
      safety: report.safety,
      latencyMs: report.latencyMs,
      approvedBy: report.approval?.decidedBy,
    },
  );
  // Nothing follows yet; once a step does (announcing the update on the bus), its failure must undo this one.
  run.saga.add('revert the catalogue update', () =>
    runStep('revertCatalogueUpdate', compensationPreset, `Revert the catalogue update of ${blueprintId}`, {
      blueprintId,
      tier,
      workflowId,
      ...replaced,
    }),
  );
}
