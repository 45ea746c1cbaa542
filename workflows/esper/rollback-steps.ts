/**
 * The activities of an emergency rollback and their presets. Commands go out as local activities: a freeze has
 * ~100 ms for all of it, and a local activity saves the task-queue round trip of a regular one. The HALT signal
 * is retried for as long as it takes; the admin notice runs on the rate-limited outbound queue like every send.
 */
import { proxyActivities, proxyLocalActivities, type LocalActivityOptions } from '@temporalio/workflow';
import type { RelayActivities } from '../../activities';
import type { RollbackCommandInput } from '../../activities/esper/publish-rollback';
import { nonRetryableErrorTypes, noticePreset, onOutboundQueue } from '../presets';
import { seconds } from './pipeline-run';
import { esperBusPreset } from './presets';
import type { RollbackRun } from './rollback-run';

/** A rollback command: retried quickly, given up after 10 s (the run then escalates). */
export const rollbackCommandPreset: LocalActivityOptions = {
  startToCloseTimeout: '2 seconds',
  scheduleToCloseTimeout: '10 seconds',
  retry: { initialInterval: '50 milliseconds', backoffCoefficient: 2, maximumInterval: '1 second', nonRetryableErrorTypes },
};

const commands = proxyLocalActivities<RelayActivities>(rollbackCommandPreset);
const bus = proxyActivities<RelayActivities>(esperBusPreset);
const notices = proxyActivities<RelayActivities>(noticePreset);

/** Publishes one subsystem's ROLLBACK command. */
export function publishRollbackCommand(
  run: RollbackRun,
  command: Pick<RollbackCommandInput, 'commandId' | 'level' | 'issuedAt' | 'executionDeadline'>,
) {
  const { runId, reason, checkpointId } = run.input;
  return commands.publishRollbackCommand.executeWithOptions(
    { ...rollbackCommandPreset, summary: `${command.level} rollback command ${command.commandId.split('.').pop()}` },
    [{ ...command, runId, reason, ...(checkpointId ? { checkpointId } : {}) }],
  );
}

/** Publishes the HALT EmergencySignal. */
export function publishHalt(run: RollbackRun) {
  const { runId } = run.input;
  const reason = `rollback ${run.workflowId} failed at every level (${run.report.escalations.map((e) => e.cause).join('; ')})`;
  return bus.publishHaltSignal.executeWithOptions({ ...esperBusPreset, summary: `HALT training run ${runId}` }, [
    { workflowId: run.workflowId, runId, reason: reason.slice(0, 1000), raisedAt: new Date(Date.now()).toISOString() },
  ]);
}

/** Tells the admins the outcome, once per rollback; resolves with how many were told. */
export function notifyAdminsOfRollback(run: RollbackRun): Promise<number> {
  const { report, input } = run;
  const trigger =
    report.trigger.kind === 'admin'
      ? `admin ${report.trigger.requestedBy}`
      : `${report.trigger.origin}'s ${report.trigger.emergencyLevel} signal`;
  const path = [report.startLevel, ...report.escalations.map((e) => e.to)].join(' → ');
  const text =
    report.outcome === 'HALTED'
      ? `Esper run ${input.runId} HALTED: the rollback (${trigger}: ${input.reason}) failed at ${path}. ${report.escalations.map((e) => e.cause).join('; ')}.`
      : `Esper run ${input.runId} rolled back at ${report.levelReached} in ${seconds(report.durationMs)} (${trigger}: ${input.reason})` +
        (report.escalations.length ? `; escalated ${path}: ${report.escalations.map((e) => e.cause).join('; ')}.` : '.');
  return notices.notifyAdmins.executeWithOptions(onOutboundQueue({ ...noticePreset, summary: `Tell the admins: ${report.outcome}` }), [
    { text, dedupeKey: `rollback:${run.workflowId}` },
  ]);
}
