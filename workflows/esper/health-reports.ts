/**
 * The relay's own coordination telling the health registry that a subsystem failed it (a rollback deadline
 * missed, a compile or validation that never answered). Each report counts as one failure of that subsystem's
 * circuit breaker. Fire and forget: a rollback must not wait for the registry, and a registry that is not
 * running (nothing reported yet) is no reason to fail the run.
 */
import { getExternalWorkflowHandle, log, patched, workflowInfo } from '@temporalio/workflow';
import { esperHealthWorkflowId, subsystemFailureSignal, type SubsystemFailureReport } from '../../contracts/esper/health';

/**
 * Signals the registry of this workflow's task queue. Runs recorded before these reports existed replay without
 * them (the patch marker), so call it only where the failure is decided.
 */
export async function reportSubsystemFailure(report: Omit<SubsystemFailureReport, 'reportedBy'>): Promise<void> {
  if (!patched('esper-health-failure-reports')) return;
  const { workflowId, taskQueue } = workflowInfo();
  try {
    await getExternalWorkflowHandle(esperHealthWorkflowId(taskQueue)).signal(subsystemFailureSignal, {
      ...report,
      reason: report.reason.slice(0, 500),
      reportedBy: workflowId,
    });
  } catch (error) {
    log.warn('the health registry could not be told about a failure', { subsystem: report.subsystem, error: (error as Error).message });
  }
}
