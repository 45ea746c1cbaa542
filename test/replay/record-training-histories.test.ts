/**
 * Records training-run entity histories for the replay test: a simulated run whose epoch latency spikes for three
 * epochs (the alert raised and cleared, each told to the admins) and that finishes, and the first execution of a
 * run that continues as new. Runs only with RECORD_HISTORIES=1, like record-histories.test.ts; otherwise skipped.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { trainingRunWorkflowId, type TrainingRunStatus } from '../../contracts/esper/training-run';
import { startRollbackHarness, type RollbackHarness } from '../support/rollback-harness';
import { saveHistory } from './save-history';

const RUN = 'sim-run-recorded';
const EPOCHS = 16;

describe.runIf(process.env.RECORD_HISTORIES === '1')('record training-run histories', () => {
  let h: RollbackHarness;
  // Plaintext on purpose: the committed histories must replay anywhere, without this run's throwaway key.
  beforeAll(async () => {
    h = await startRollbackHarness({
      env: { RELAY_ENCRYPTION: 'off' },
      simulator: { trainingRun: { runId: RUN, seed: 5, epochIntervalMs: 250, epochs: EPOCHS, latencySpikesAt: [3, 4, 5] } },
      trainingRuns: { signalsPerRun: 20 },
    });
  });
  afterAll(async () => h?.stop());

  it('records a run that continued as new, raised and cleared a latency alert, and finished', async () => {
    const handle = h.relay.client.workflow.getHandle(trainingRunWorkflowId(RUN));
    const final = (await vi.waitFor(() => handle.result(), { timeout: 30_000, interval: 200 })) as TrainingRunStatus;
    expect(final).toMatchObject({ phase: 'FINISHED', epoch: EPOCHS - 1 });
    expect(final.alerts.recent.map((a) => a.rule)).toContain('epoch_latency');
    const last = await handle.fetchHistory();
    const first = last.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId;
    expect(first).toBeTruthy();
    saveHistory('training-run-continued', await h.relay.client.workflow.getHandle(trainingRunWorkflowId(RUN), first!).fetchHistory());
    saveHistory('training-run-finished', last);
  });
});
