/**
 * Records an emergency rollback history for the replay test: a FREEZE rollback that Kasmina lets pass its
 * deadline, escalated to FAST and completed (local-activity commands, acknowledgement signals, a timer that fired,
 * the admin notice). Runs only with RECORD_HISTORIES=1, like record-histories.test.ts; otherwise skipped.
 */
import { saveHistory } from './save-history';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRollbackHarness, type RollbackHarness } from '../support/rollback-harness';

describe.runIf(process.env.RECORD_HISTORIES === '1')('record emergency rollback histories', () => {
  let h: RollbackHarness;
  // Plaintext on purpose: the committed histories must replay anywhere, without this run's throwaway key.
  beforeAll(async () => {
    h = await startRollbackHarness({
      env: { RELAY_ENCRYPTION: 'off' },
      rollbackDeadlinesMs: { FREEZE: 1_500, FAST: 2_500 },
      simulator: { rollback: { kasmina: { missLevels: ['FREEZE'] } } },
    });
  });
  afterAll(async () => h?.stop());

  it('records a rollback escalated from FREEZE to FAST', async () => {
    const signal = { level: 'ELEVATED' as const, reason: 'gradient norm spike', origin: 'nissa' as const, runId: 'run-recorded' };
    const workflowId = await h.raise({ ...signal, raisedAt: new Date().toISOString() }, `sig-recorded-${Date.now()}`);
    const handle = await h.rollback(workflowId);
    expect(await handle.result()).toMatchObject({ levelReached: 'FAST', outcome: 'ROLLED_BACK' });
    saveHistory('rollback-escalated', await handle.fetchHistory());
  });
});
