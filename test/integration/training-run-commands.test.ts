/**
 * The simulated training run answering the relay's commands over the bus, seen through its entity on a real
 * Temporal dev server: an EmergencySignal's rollback makes Tolaria restore its newest checkpoint (the entity's
 * epoch goes back), and an open CIRCUIT_BREAKER makes the run conservative until the breaker is reset.
 */
import { vi, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryTrainingRun } from '../../client/esper/running-runs';
import { SimulatedTrainingRun } from '../../simulator/training-run';
import { startRollbackHarness, type RollbackHarness } from '../support/rollback-harness';

const RUN = 'sim-run-commands';

describe('simulated training run under the relay’s commands', () => {
  let h: RollbackHarness;
  let run: SimulatedTrainingRun;
  const status = () => queryTrainingRun(h.relay.client, RUN);

  beforeAll(async () => {
    h = await startRollbackHarness({ rollbackDeadlinesMs: { FREEZE: 1_500, FAST: 2_500, FULL: 2_500, TUNE: 2_500 } });
    run = new SimulatedTrainingRun({
      runId: RUN,
      epochIntervalMs: 100,
      checkpointEvery: 5,
      transport: h.relay.esper.transport,
      signingSecret: h.relay.esper.deps.signingSecret,
    });
    run.start();
  });
  afterAll(async () => {
    await run?.stop();
    await h?.stop();
  });

  it('restores the newest checkpoint on a FAST rollback, and the entity sees the epoch go back', async () => {
    await vi.waitFor(async () => expect((await status()).epoch).toBeGreaterThanOrEqual(12), { timeout: 20_000, interval: 50 });
    const workflowId = await h.raise(
      { level: 'CONSERVATIVE', reason: 'loss spike', origin: 'tamiyo', runId: RUN, raisedAt: new Date().toISOString() },
      `sig-${RUN}`,
    );
    const report = await (await h.rollback(workflowId)).result();
    expect(report).toMatchObject({ outcome: 'ROLLED_BACK', levelReached: 'FAST' });
    expect(run.restores).toBe(1);
    await vi.waitFor(async () => expect((await status()).restores).toBe(1), { timeout: 10_000, interval: 20 });
    expect((await status()).restores).toBe(1);
  });

  it('goes conservative while a breaker is open, and back when it is reset', async () => {
    const breaker = (action: 'OPEN' | 'RESET', id: string) => {
      const issuedAt = new Date().toISOString();
      return h.relay.publishAs(
        'relay',
        'adaptation-command',
        {
          version: 1,
          type: 'CIRCUIT_BREAKER',
          commandId: id,
          runId: 'all-runs',
          issuedAt,
          issuedBy: 'relay',
          executionDeadline: new Date(Date.parse(issuedAt) + 60_000).toISOString(),
          payload: { subsystem: 'tezzeret', action },
        },
        id,
      );
    };
    await breaker('OPEN', 'breaker-test-open');
    await vi.waitFor(async () => expect((await status()).conservative).toBe(true), { timeout: 10_000, interval: 50 });
    expect(run.conservative).toBe(true);
    await breaker('RESET', 'breaker-test-reset');
    await vi.waitFor(async () => expect((await status()).conservative).toBe(false), { timeout: 10_000, interval: 50 });
  });
});
