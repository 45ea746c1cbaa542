/**
 * `emergencyRollbackWorkflow`: rolls a training run back at one level, unwinding Tamiyo → Kasmina → Tolaria: for
 * each, a ROLLBACK command on the bus and its FieldReport back as a signal, within the level's deadline. A missed
 * deadline (or an ABORTED report) escalates one level up (freeze → fast → full) and unwinds again; a failed FULL
 * rollback ends in HALT (an EmergencySignal HALT on the bus). The admins are told the outcome, and the run returns
 * a report. Training never waits for this workflow: the subsystems act on the commands on their own and answer
 * asynchronously; nothing in the epoch-boundary hot path calls Temporal.
 */
import { condition, log } from '@temporalio/workflow';
import type { RollbackLevel } from '../../contracts/esper/adaptation-command';
import {
  rollbackCommandId,
  rollbackEscalation,
  rollbackUnwindOrder,
  type EmergencyRollbackInput,
  type EmergencyRollbackReport,
  type RollbackStep,
} from '../../contracts/esper/rollback';
import { reportSubsystemFailure } from './health-reports';
import { isoIn, seconds } from './pipeline-run';
import { RollbackRun } from './rollback-run';
import { notifyAdminsOfRollback, publishHalt, publishRollbackCommand } from './rollback-steps';

export async function emergencyRollbackWorkflow(input: EmergencyRollbackInput): Promise<EmergencyRollbackReport> {
  const run = new RollbackRun(input);
  let level: RollbackLevel | 'HALT' = input.level;
  while (level !== 'HALT') {
    const failed = await unwindAt(run, level);
    if (!failed) break;
    const to: RollbackLevel | 'HALT' = rollbackEscalation[level];
    // Not awaited: the escalation goes on at once; the health registry counts it against the subsystem's breaker.
    void reportSubsystemFailure({
      subsystem: failed.subsystem,
      reason: `${describeFailure(failed)} at ${level} in ${run.workflowId}`,
      reportId: failed.commandId,
    });
    run.escalate({ from: level, to, cause: `${failed.subsystem} ${describeFailure(failed)} at ${level}` });
    level = to;
  }
  const { report } = run;
  if (level === 'HALT') {
    report.outcome = 'HALTED';
    run.show('halting', `**Rollback failed at every level: halting training** of run ${input.runId}`);
    report.haltSignalId = (await publishHalt(run)).envelopeId;
  }
  report.finishedAt = new Date(Date.now()).toISOString();
  report.durationMs = Date.now() - run.startedAt;
  run.show('reporting', `Telling the admins: **${report.outcome}** at ${report.levelReached}`);
  report.adminsNotified = await notifyAdminsOfRollback(run).catch((error: Error) => {
    log.warn('the admins could not be told the rollback outcome', { error: error.message });
    return 0;
  });
  run.show('done', `Done: **${report.outcome}** at ${report.levelReached} in ${seconds(report.durationMs)}`);
  return report;
}

/** One level, in unwind order; the first subsystem that fails stops it, and is returned. */
async function unwindAt(run: RollbackRun, level: RollbackLevel): Promise<RollbackStep | undefined> {
  const deadlineMs = run.deadlineOf(level);
  for (const subsystem of rollbackUnwindOrder) {
    const commandId = rollbackCommandId(run.workflowId, level, subsystem);
    const step: RollbackStep = { level, subsystem, commandId, result: 'ACKNOWLEDGED', waitedMs: 0, deadlineMs };
    // Expected before it is published: an acknowledgement may arrive in the same workflow task as the publish.
    run.expect(commandId, subsystem);
    run.show('unwinding', `**${level} rollback**: waiting for **${subsystem}** to acknowledge (deadline ${deadlineMs} ms)`);
    try {
      await publishRollbackCommand(run, { commandId, level, issuedAt: isoIn(0), executionDeadline: isoIn(deadlineMs) });
    } catch (error) {
      log.warn('a rollback command could not be published', { commandId, error: (error as Error).message });
      run.record({ ...step, result: 'NOT_PUBLISHED' });
      return { ...step, result: 'NOT_PUBLISHED' };
    }
    const publishedAt = Date.now();
    const answered = await condition(() => run.acknowledgement !== undefined, deadlineMs);
    const report = run.acknowledgement;
    const waited = { waitedMs: Date.now() - publishedAt, ...(report ? { reportOutcome: report.outcome } : {}) };
    const result: RollbackStep['result'] =
      !answered || !report ? 'MISSED_DEADLINE' : report.outcome === 'ABORTED' ? 'ABORTED' : 'ACKNOWLEDGED';
    run.record({ ...step, ...waited, result });
    if (result !== 'ACKNOWLEDGED') return { ...step, ...waited, result };
  }
  return undefined;
}

function describeFailure(step: RollbackStep): string {
  switch (step.result) {
    case 'MISSED_DEADLINE':
      return `missed its ${step.deadlineMs} ms deadline`;
    case 'ABORTED':
      return 'aborted the rollback';
    default:
      return 'could not be sent the command';
  }
}
