/**
 * Emergency rollback on a real Temporal dev server, against the seeded simulator's Tamiyo, Kasmina and Tolaria on
 * the in-process bus: the order commands and acknowledgements take on the bus, escalation on a missed deadline,
 * HALT when every level fails, one rollback per signal, and the admins' Telegram notice.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestRollback } from '../../client/esper/rollback-client';
import { emergencyRollbackStatusQuery } from '../../contracts/esper/rollback';
import { ADMIN } from '../support/esper-harness';
import { startRollbackHarness, type RollbackHarness } from '../support/rollback-harness';

/** Generous per-subsystem deadlines: a loaded test machine must not miss one by accident. */
const DEADLINES = { FREEZE: 1_500, FAST: 2_500, FULL: 2_500, TUNE: 2_500 };
const DOOMED_RUN = 'run-doomed';
const unwind = (level: string) => [
  `command tamiyo ${level}`,
  'report tamiyo SUCCESS',
  `command kasmina ${level}`,
  'report kasmina SUCCESS',
  `command tolaria ${level}`,
  'report tolaria SUCCESS',
];

describe('emergency rollback', () => {
  let h: RollbackHarness;
  const raisedAt = () => new Date().toISOString();
  const runId = () => `run-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    h = await startRollbackHarness({
      rollbackDeadlinesMs: DEADLINES,
      // Kasmina hangs on every FREEZE; Tolaria never answers anything about the doomed run.
      simulator: { rollback: { kasmina: { missLevels: ['FREEZE'] }, tolaria: { missRuns: [DOOMED_RUN] } } },
    });
  });
  afterAll(async () => h?.stop());

  it('rolls back FAST on a CONSERVATIVE signal, Tamiyo → Kasmina → Tolaria, each acknowledged before the next', async () => {
    const run = runId();
    const workflowId = await h.raise(
      { level: 'CONSERVATIVE', reason: 'loss spike', origin: 'tolaria', runId: run, raisedAt: raisedAt() },
      `sig-${run}`,
    );
    const handle = await h.rollback(workflowId);
    const report = await handle.result();

    expect(report).toMatchObject({
      workflowId,
      runId: run,
      startLevel: 'FAST',
      levelReached: 'FAST',
      outcome: 'ROLLED_BACK',
      escalations: [],
    });
    expect(report.trigger).toMatchObject({
      kind: 'emergency-signal',
      origin: 'tolaria',
      emergencyLevel: 'CONSERVATIVE',
      messageId: `sig-${run}`,
    });
    expect(report.steps.map((s) => [s.subsystem, s.level, s.result])).toEqual([
      ['tamiyo', 'FAST', 'ACKNOWLEDGED'],
      ['kasmina', 'FAST', 'ACKNOWLEDGED'],
      ['tolaria', 'FAST', 'ACKNOWLEDGED'],
    ]);
    for (const step of report.steps) expect(step.waitedMs).toBeLessThan(step.deadlineMs);
    expect(h.linesOf(workflowId)).toEqual(unwind('FAST'));
    expect(await handle.query(emergencyRollbackStatusQuery)).toMatchObject({ phase: 'done', level: 'FAST' });
    expect(await (await handle.describe()).staticSummary()).toBe(
      `Emergency rollback of run ${run} from FAST (tolaria CONSERVATIVE): Tamiyo → Kasmina → Tolaria`,
    );
  });

  it('escalates FREEZE → FAST when Kasmina misses its deadline, and tells the admins', async () => {
    const run = runId();
    const workflowId = await h.raise(
      { level: 'ELEVATED', reason: 'grad norm', origin: 'nissa', runId: run, raisedAt: raisedAt() },
      `sig-${run}`,
    );
    const report = await (await h.rollback(workflowId)).result();

    expect(report).toMatchObject({ startLevel: 'FREEZE', levelReached: 'FAST', outcome: 'ROLLED_BACK' });
    expect(report.escalations).toEqual([{ from: 'FREEZE', to: 'FAST', cause: 'kasmina missed its 1500 ms deadline at FREEZE' }]);
    expect(report.steps.map((s) => `${s.subsystem} ${s.level} ${s.result}`)).toEqual([
      'tamiyo FREEZE ACKNOWLEDGED',
      'kasmina FREEZE MISSED_DEADLINE',
      'tamiyo FAST ACKNOWLEDGED',
      'kasmina FAST ACKNOWLEDGED',
      'tolaria FAST ACKNOWLEDGED',
    ]);
    // Tolaria never got a FREEZE command: the unwind stopped at Kasmina.
    expect(h.linesOf(workflowId)).toEqual(['command tamiyo FREEZE', 'report tamiyo SUCCESS', 'command kasmina FREEZE', ...unwind('FAST')]);
    expect(report.adminsNotified).toBe(1);
    expect(h.telegram.sent.filter((m) => String(m.chat_id) === ADMIN).map((m) => m.text)).toContainEqual(
      `⚠️ esper-relay: Esper run ${run} rolled back at FAST in ${Math.round(report.durationMs / 100) / 10} s (nissa's ELEVATED signal: grad norm); ` +
        'escalated FREEZE → FAST: kasmina missed its 1500 ms deadline at FREEZE.',
    );
  });

  it('ends in HALT, publishing a HALT EmergencySignal, when Tolaria misses FAST and then FULL', async () => {
    const workflowId = await h.raise(
      { level: 'CONSERVATIVE', reason: 'divergence', origin: 'tamiyo', runId: DOOMED_RUN, raisedAt: raisedAt() },
      `sig-doomed-${randomUUID()}`,
    );
    const report = await (await h.rollback(workflowId)).result();

    expect(report).toMatchObject({ startLevel: 'FAST', levelReached: 'HALT', outcome: 'HALTED', haltSignalId: `${workflowId}.halt` });
    expect(report.escalations).toEqual([
      { from: 'FAST', to: 'FULL', cause: 'tolaria missed its 2500 ms deadline at FAST' },
      { from: 'FULL', to: 'HALT', cause: 'tolaria missed its 2500 ms deadline at FULL' },
    ]);
    expect(h.linesOf(workflowId)).toEqual([...unwind('FAST').slice(0, 5), ...unwind('FULL').slice(0, 5)]);
    // The relay's own HALT is on the emergency stream, and does not start another rollback.
    await expect
      .poll(() => h.seen.filter((s) => s.about === DOOMED_RUN).map((s) => s.line))
      .toEqual(['signal tamiyo CONSERVATIVE', 'signal relay HALT']);
    expect(h.telegram.sent.map((m) => m.text)).toContainEqual(
      expect.stringMatching(new RegExp(`^⚠️ esper-relay: Esper run ${DOOMED_RUN} HALTED: `)),
    );
  });

  it('starts one rollback for a signal delivered twice and re-published under a new envelope id', async () => {
    const run = runId();
    const signal = { level: 'CONSERVATIVE' as const, reason: 'loss spike', origin: 'tolaria' as const, runId: run, raisedAt: raisedAt() };
    const workflowId = await h.raise(signal, `sig-${run}-a`);
    await h.raise(signal, `sig-${run}-a`); // the bus drops a replayed envelope id
    const handle = await h.rollback(workflowId);
    await handle.result();
    await h.raise(signal, `sig-${run}-b`); // the same signal again, after the rollback finished
    await expect.poll(() => h.seen.filter((s) => s.about === run).length).toBe(2);
    await sleep(1_000);

    expect(h.linesOf(workflowId)).toEqual(unwind('FAST'));
    const runs = [];
    for await (const execution of h.relay.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs.push(execution.runId);
    expect(runs).toEqual([(await handle.describe()).runId]);
  });

  it('rolls back at an admin’s request (TUNE), and refuses anyone else', async () => {
    const { client, config } = h.relay;
    const request = {
      runId: runId(),
      level: 'TUNE' as const,
      reason: 'bad lr schedule',
      requestedBy: ADMIN,
      requestId: 'm1',
      deadlinesMs: DEADLINES,
    };
    expect(() => requestRollback(client, config.temporal.taskQueue, config.security.admins, { ...request, requestedBy: '7' })).toThrow(
      'user 7 may not roll back Esper runs: only admins may',
    );
    const handle = await requestRollback(client, config.temporal.taskQueue, config.security.admins, request);
    expect(handle.workflowId).toBe(`rollback-${request.runId}-admin-m1`);
    const report = await handle.result();
    expect(report).toMatchObject({ trigger: { kind: 'admin', requestedBy: ADMIN }, levelReached: 'TUNE', outcome: 'ROLLED_BACK' });
    expect(h.linesOf(handle.workflowId)).toEqual(unwind('TUNE'));
  });
});
