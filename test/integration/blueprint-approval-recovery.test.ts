/**
 * The blueprint pipeline's human and failure paths on a real dev server: HIGH_RISK blueprints wait for an admin
 * (a non-admin is refused by the Update's validator; silence times out into a rejection), a KernelReady delivered
 * twice is taken once, and a worker restarted while a run waits for Tezzeret finishes the run.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { approveBlueprint } from '../../client/esper/blueprint-pipeline-client';
import { createBlueprintIngress } from '../../client/esper/blueprint-ingress';
import type { KernelReady } from '../../contracts/esper/kernels';
import { oonaStreams, type EsperDelivery } from '../../contracts/esper/transport';
import { activitiesInHistory } from '../support/harness';
import { ADMIN, PIPELINE_STEPS_TO_VALIDATION, startEsperHarness, testTimeouts, type EsperHarness } from '../support/esper-harness';

/** A KernelReady as Tezzeret would send it for the run `workflowId`. */
function kernelReady(workflowId: string, blueprintId: string, kernelId: string): KernelReady {
  return {
    version: 1,
    jobId: workflowId,
    blueprintId,
    kernelId,
    artifactRef: `urza://kernels/${blueprintId}/${kernelId}`,
    checksum: `sha256:${'ab'.repeat(32)}`,
    compileMs: 1_234,
    readyAt: new Date().toISOString(),
  };
}

async function updateError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((error as WorkflowUpdateFailedError).cause as Error).message;
}

describe('blueprint pipeline: approvals, duplicates, restarts', () => {
  let relay: EsperHarness;

  beforeAll(async () => {
    // BP047 and BP023 are never answered by the simulated Tezzeret: the tests play its part.
    relay = await startEsperHarness({ simulator: { tezzeret: { silentBlueprints: ['BP047', 'BP023'] } } });
  });
  afterAll(async () => relay?.stop());

  it('holds a HIGH_RISK blueprint for an admin: refuses a non-admin, continues on the admin approval', async () => {
    const handle = await relay.start('BP045');
    expect(await updateError(approveBlueprint(relay.client, handle.workflowId, { approverId: ADMIN, approve: true }))).toBe(
      'this run is not waiting for an approval',
    );
    await relay.waitForPhase(handle, 'awaiting_approval');
    const { currentDetails } = await handle.query(workflowMetadataQuery);
    expect(currentDetails).toMatch(/^\*\*Waiting for an admin to approve\*\* HIGH_RISK BP045 \(hazard HIGH, risk 0\.\d\d\); approvers: 1;/);

    expect(await updateError(approveBlueprint(relay.client, handle.workflowId, { approverId: '7', approve: true }))).toBe(
      'user 7 may not approve blueprints: only admins may',
    );
    expect((await relay.status(handle)).phase).toBe('awaiting_approval');
    const decision = await approveBlueprint(relay.client, handle.workflowId, { approverId: ADMIN, approve: true, note: 'reviewed' });
    expect(decision).toEqual({ decision: 'APPROVED', decidedBy: ADMIN, note: 'reviewed' });

    const report = await handle.result();
    expect(report).toMatchObject({ tier: 'HIGH_RISK', outcome: 'VALIDATED', approval: decision, safety: { hazardBand: 'HIGH' } });
    expect(await relay.blueprint('BP045')).toMatchObject({ stage: 'VALIDATED', approvedBy: ADMIN });
    // Refused Updates leave no trace in the history; the accepted one does.
    const history = await handle.fetchHistory();
    expect(history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
  });

  it('rejects a HIGH_RISK blueprint nobody approves in time, archiving its kernel, then closing its entry', async () => {
    const handle = await relay.start('BP046', { timeoutsMs: { ...testTimeouts, approval: 1_500 } });
    const report = await handle.result();

    expect(report).toMatchObject({
      outcome: 'REJECTED',
      stop: { code: 'approval_timeout', detail: 'no admin approved BP046 within 1.5 s' },
    });
    expect(report.approval).toBeUndefined();
    const kernelId = report.kernel!.kernelId;
    expect(report.compensations.map((c) => c.name)).toEqual([`archive kernel ${kernelId}`, 'close the catalogue entry of BP046']);
    expect((await activitiesInHistory(relay.client, handle.workflowId)).slice(-2)).toEqual(['archiveKernel', 'recordBlueprintStage']);
    expect(await relay.blueprint('BP046')).toMatchObject({
      stage: 'REJECTED',
      reason: 'approval_timeout: no admin approved BP046 within 1.5 s',
    });
    expect((await relay.kernel(kernelId))!.stage).toBe('ARCHIVED');
    // Too late: the run is over.
    await expect(approveBlueprint(relay.client, handle.workflowId, { approverId: ADMIN, approve: true })).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });

  it('takes a KernelReady once, whether the bus repeats the envelope or redelivers the entry', async () => {
    const handle = await relay.start('BP047');
    await relay.waitForPhase(handle, 'compiling');
    const ready = kernelReady(handle.workflowId, 'BP047', 'k-BP047-dup');
    const envelopeId = `tezzeret.${handle.workflowId}.ready`;
    const droppedBefore = relay.esper.transport.counters().droppedDuplicate;
    await relay.publishAs('tezzeret', 'kernel-ready', ready, envelopeId);
    await relay.publishAs('tezzeret', 'kernel-ready', ready, envelopeId);
    await relay.waitForPhase(handle, 'awaiting_approval');
    await vi.waitFor(() => expect(relay.esper.transport.counters().droppedDuplicate - droppedBefore).toBe(1));

    // The entry redelivered after Temporal accepted the signal but the acknowledgement was lost: same message id.
    const ingress = createBlueprintIngress({ client: relay.client, findKernelJob: async () => undefined });
    const redelivery = { kind: 'kernel-ready', message: ready, stream: oonaStreams.kernelReady, entryId: '1-1', attempt: 2 } as const;
    await ingress({ ...redelivery, envelope: { id: envelopeId } } as EsperDelivery, new AbortController().signal);
    const status = await relay.status(handle);
    expect(status.duplicatesIgnored).toBe(1);
    expect(status.repliesTaken.filter((id) => id === envelopeId)).toHaveLength(1);

    await approveBlueprint(relay.client, handle.workflowId, { approverId: ADMIN, approve: true });
    const report = await handle.result();
    expect(report).toMatchObject({ outcome: 'VALIDATED', duplicatesIgnored: 1, kernel: { kernelId: 'k-BP047-dup' } });
    const history = await handle.fetchHistory();
    const signals = history.events!.flatMap((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? []);
    expect(signals.filter((name) => name === 'kernelReady')).toHaveLength(2);
    expect((await activitiesInHistory(relay.client, handle.workflowId)).filter((a) => a === 'registerKernel')).toHaveLength(1);
  });

  it('finishes a run whose worker was restarted while it waited for Tezzeret', async () => {
    const handle = await relay.start('BP023');
    await relay.waitForPhase(handle, 'compiling');
    await relay.restartWorker();
    await relay.publishAs('tezzeret', 'kernel-ready', kernelReady(handle.workflowId, 'BP023', 'k-BP023-after-restart'), 'restart-ready-1');

    const report = await handle.result();
    expect(report).toMatchObject({ outcome: 'VALIDATED', kernel: { kernelId: 'k-BP023-after-restart' }, compensations: [] });
    // Every step ran once: the new worker replayed the history instead of starting over.
    expect(await activitiesInHistory(relay.client, handle.workflowId)).toEqual([...PIPELINE_STEPS_TO_VALIDATION, 'publishToCatalogue']);
    expect(await relay.blueprint('BP023')).toMatchObject({ stage: 'VALIDATED', kernelId: 'k-BP023-after-restart' });
  });
});
