/**
 * The blueprint pipeline on a real Temporal dev server, against the seeded Esper simulator on the in-process bus:
 * what ends in Urza's catalogue, and which compensations ran, in which order, when a blueprint is not accepted.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activitiesInHistory } from '../support/harness';
import { PIPELINE_STEPS_TO_VALIDATION, startEsperHarness, type EsperHarness } from '../support/esper-harness';

const FORWARD = PIPELINE_STEPS_TO_VALIDATION;

describe('blueprint pipeline', () => {
  let relay: EsperHarness;

  beforeAll(async () => {
    relay = await startEsperHarness({
      simulator: {
        tezzeret: { failingBlueprints: ['BP020'], silentBlueprints: ['BP021'] },
        urabrask: { hazardousBlueprints: ['BP012'] },
      },
    });
  });
  afterAll(async () => relay?.stop());

  it('compiles, validates and catalogues a SAFE blueprint as VALIDATED', async () => {
    const handle = await relay.start('BP007');
    const report = await handle.result();

    expect(report).toMatchObject({ blueprintId: 'BP007', tier: 'SAFE', outcome: 'VALIDATED', compensations: [], duplicatesIgnored: 0 });
    expect(report.safety).toMatchObject({ hazardBand: 'LOW', decision: 'GO', handlingClass: 'STANDARD' });
    expect(report.latencyMs!.p95).toBeGreaterThanOrEqual(report.latencyMs!.p50);
    const kernelId = report.kernel!.kernelId;
    expect(kernelId).toMatch(/^k-BP007-[0-9a-f]{8}$/);
    expect(await activitiesInHistory(relay.client, handle.workflowId)).toEqual([...FORWARD, 'publishToCatalogue']);

    expect(await relay.blueprint('BP007')).toMatchObject({ stage: 'VALIDATED', kernelId, updatedBy: handle.workflowId });
    expect((await relay.blueprint('BP007'))!.history.map((h) => h.stage)).toEqual(['COMPILING']);
    expect(await relay.kernel(kernelId)).toMatchObject({ stage: 'VALIDATED', jobId: handle.workflowId, blueprintId: 'BP007' });
    expect(await relay.compileSlotHolders()).toEqual([]);
    const described = await handle.describe();
    expect(await described.staticSummary()).toBe('Blueprint BP007 (SAFE): Tezzeret compile → Urabrask validation → Urza catalogue');
  });

  it('rejects a kernel whose hazard band is over the limit, archiving the kernel before closing the entry', async () => {
    // BP038 is EXPERIMENTAL: Urabrask rates it MEDIUM and says GO, but this run accepts LOW only.
    const handle = await relay.start('BP038', { maxHazardBand: 'LOW' });
    const report = await handle.result();

    expect(report).toMatchObject({ outcome: 'REJECTED', stop: { code: 'hazard_over_limit', retryable: false } });
    expect(report.stop!.detail).toMatch(/^hazard band MEDIUM is above the limit LOW \(risk 0\.\d+, hazard MEDIUM\)$/);
    const kernelId = report.kernel!.kernelId;
    expect(report.compensations).toEqual([
      { name: `archive kernel ${kernelId}`, ok: true },
      { name: 'close the catalogue entry of BP038', ok: true },
    ]);
    // An EXPERIMENTAL run first asks whether Esper is in conservative mode (it is not).
    expect(await activitiesInHistory(relay.client, handle.workflowId)).toEqual([
      'checkConservativeMode',
      ...FORWARD,
      'archiveKernel',
      'recordBlueprintStage',
    ]);
    expect(await relay.blueprint('BP038')).toMatchObject({ stage: 'REJECTED', reason: expect.stringMatching(/^hazard_over_limit: /) });
    expect(await relay.kernel(kernelId)).toMatchObject({ stage: 'ARCHIVED', reason: expect.stringMatching(/^hazard_over_limit: /) });
  });

  it('rejects a kernel Urabrask rates CRITICAL (NO_GO), with the same compensations', async () => {
    const report = await (await relay.start('BP012')).result();
    expect(report).toMatchObject({ outcome: 'REJECTED', stop: { code: 'no_go' }, safety: { hazardBand: 'CRITICAL', decision: 'NO_GO' } });
    expect(report.compensations.map((c) => c.name)).toEqual([
      `archive kernel ${report.kernel!.kernelId}`,
      'close the catalogue entry of BP012',
    ]);
    expect((await relay.blueprint('BP012'))!.stage).toBe('REJECTED');
  });

  it('marks a blueprint Tezzeret cannot compile INVALID, and frees its compile slot', async () => {
    const handle = await relay.start('BP020');
    const report = await handle.result();

    expect(report).toMatchObject({ outcome: 'INVALID', stop: { code: 'kernel_error', retryable: false } });
    expect(report.stop!.detail).toMatch(/^Tezzeret failed \(INVALID_BLUEPRINT\): /);
    expect(report.compensations).toEqual([{ name: 'close the catalogue entry of BP020', ok: true }]);
    expect(await activitiesInHistory(relay.client, handle.workflowId)).toEqual([...FORWARD.slice(0, 4), 'recordBlueprintStage']);
    expect(await relay.blueprint('BP020')).toMatchObject({ stage: 'INVALID', reason: expect.stringMatching(/^kernel_error: /) });
    expect(await relay.compileSlotHolders()).toEqual([]);
  });

  it('unwinds in reverse order when cancelled while it waits for Tezzeret, and ends cancelled', async () => {
    const handle = await relay.start('BP021');
    await relay.waitForPhase(handle, 'compiling');
    expect(await relay.compileSlotHolders()).toEqual([handle.workflowId]);
    expect((await relay.blueprint('BP021'))!.stage).toBe('COMPILING');

    await handle.cancel();
    const failure = await handle.result().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    // Newest first: the catalogue entry goes back to what it was, then the slot is released.
    expect(await activitiesInHistory(relay.client, handle.workflowId)).toEqual([
      ...FORWARD.slice(0, 3),
      'restoreBlueprintEntry',
      'releaseCompileSlot',
    ]);
    expect(await relay.blueprint('BP021')).toMatchObject({ stage: 'UNVALIDATED' });
    expect(await relay.compileSlotHolders()).toEqual([]);
  });
});
