/**
 * What `relay replay` does with one workflow, decided from its status and history alone (pure, so it is tested
 * on recorded histories). The rule that matters: a reply the user already got is never sent again.
 */
import type { WorkflowExecutionStatusName } from '@temporalio/client';
import type { StepRecord } from '../../contracts/message';
import type { ActivityStep } from './history';
import { isFailedStatus, MESSAGE_WORKFLOW, statusLabel } from './visibility';

const DELIVERY_STEP: StepRecord['step'] = 'deliverResponse';

export type ReplayPlan =
  | { action: 'skip'; reason: string }
  /** Reset to the workflow task that scheduled `step`: completed steps are kept, `step` runs again. */
  | { action: 'reset'; eventId: number; step: string }
  /** No step to resume from: start a new run with the same id and input. */
  | { action: 'restart' };

/** Decides how to replay a run of `workflowType` in `status` whose history has these activity steps. */
export function planReplay(workflowType: string, status: WorkflowExecutionStatusName, steps: ActivityStep[]): ReplayPlan {
  if (workflowType !== MESSAGE_WORKFLOW) return { action: 'skip', reason: `not a message workflow (${workflowType})` };
  if (!isFailedStatus(status)) return { action: 'skip', reason: `not failed (${statusLabel(status)})` };
  if (steps.some((step) => step.activityType === DELIVERY_STEP && step.status === 'completed')) {
    return { action: 'skip', reason: 'already delivered' };
  }
  // The first step that did not complete: failed, timed out, or cut off by a terminate while it ran.
  const resumeAt = steps.find((step) => step.status !== 'completed');
  if (resumeAt && resumeAt.scheduledByEventId > 0)
    return { action: 'reset', eventId: resumeAt.scheduledByEventId, step: resumeAt.activityType };
  return { action: 'restart' };
}

/** `reset to event 14 (re-runs orchestrateAgent)`, `restart`, `skipped: already delivered`. */
export function describePlan(plan: ReplayPlan): string {
  if (plan.action === 'skip') return `skipped: ${plan.reason}`;
  if (plan.action === 'reset') return `reset to event ${plan.eventId} (re-runs ${plan.step})`;
  return 'restart with the same input';
}
