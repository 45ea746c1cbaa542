/**
 * Records blueprint pipeline histories for the replay test: a HIGH_RISK run approved by an admin (signals, an
 * accepted Update, the catalogue update) and a rejected run that unwound its compensations. Runs only with
 * RECORD_HISTORIES=1, like record-histories.test.ts; otherwise skipped.
 */
import { saveHistory } from './save-history';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { approveBlueprint } from '../../client/esper/blueprint-pipeline-client';
import { ADMIN, startEsperHarness, type EsperHarness, type PipelineHandle } from '../support/esper-harness';

describe.runIf(process.env.RECORD_HISTORIES === '1')('record blueprint pipeline histories', () => {
  let relay: EsperHarness;
  // Plaintext on purpose: the committed histories must replay anywhere, without this run's throwaway key.
  beforeAll(async () => {
    relay = await startEsperHarness({ env: { RELAY_ENCRYPTION: 'off' } });
  });
  afterAll(async () => relay?.stop());

  const save = async (name: string, handle: PipelineHandle) => {
    await handle.result();
    saveHistory(name, await handle.fetchHistory());
  };

  it('records an approved HIGH_RISK run and a rejected, compensated run', async () => {
    const approved = await relay.start('BP044');
    await relay.waitForPhase(approved, 'awaiting_approval');
    await approveBlueprint(relay.client, approved.workflowId, { approverId: ADMIN, approve: true });
    await save('blueprint-high-risk-approved', approved);
    await save('blueprint-rejected-compensated', await relay.start('BP039', { maxHazardBand: 'LOW' }));
  });
});
