/**
 * Starting an emergency rollback: what the bus ingress calls for an EmergencySignal, and what an admin (the chat
 * command, next) calls through `requestRollback`. Validates first, so bad input fails here rather than as a
 * failed run.
 */
import { WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import { rollbackLevels, type RollbackLevel } from '../../contracts/esper/adaptation-command';
import { esperIdSchema, humanTextSchema } from '../../contracts/esper/common';
import { pipelineRequestIdSchema } from '../../contracts/esper/blueprint-pipeline';
import { rollbackWorkflowId, type EmergencyRollbackInput } from '../../contracts/esper/rollback';
import type { emergencyRollbackWorkflow } from '../../workflows';

export type RollbackHandle = WorkflowHandle<typeof emergencyRollbackWorkflow>;

/**
 * Starts `rollback-<runId>-<triggerId>`. A trigger is processed once (REJECT_DUPLICATE): starting it again, even
 * after the first run finished, throws `WorkflowExecutionAlreadyStartedError`.
 */
export function startEmergencyRollback(client: Client, taskQueue: string, input: EmergencyRollbackInput): Promise<RollbackHandle> {
  const runId = esperIdSchema.parse(input.runId);
  const reason = humanTextSchema.parse(input.reason);
  const trigger =
    input.trigger.kind === 'admin' ? `admin ${input.trigger.requestedBy}` : `${input.trigger.origin} ${input.trigger.emergencyLevel}`;
  return client.workflow.start<typeof emergencyRollbackWorkflow>('emergencyRollbackWorkflow', {
    workflowId: rollbackWorkflowId(runId, input.triggerId),
    taskQueue,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    staticSummary: `Emergency rollback of run ${runId} from ${input.level} (${trigger}): Tamiyo → Kasmina → Tolaria`,
    staticDetails: `Reason: ${reason}`,
  });
}

export interface AdminRollbackRequest {
  runId: string;
  level: RollbackLevel;
  reason: string;
  /** The admin's user id; must be one of `admins`. */
  requestedBy: string;
  /** The caller's id for this request (a chat message id); repeating it finds the same rollback. */
  requestId: string;
  checkpointId?: string;
  deadlinesMs?: EmergencyRollbackInput['deadlinesMs'];
}

/** Starts a rollback for an admin (RELAY_ADMINS); refuses anyone else, and a level that does not exist. */
export function requestRollback(client: Client, taskQueue: string, admins: readonly string[], request: AdminRollbackRequest) {
  if (!admins.includes(request.requestedBy)) throw new Error(`user ${request.requestedBy} may not roll back Esper runs: only admins may`);
  if (!rollbackLevels.includes(request.level))
    throw new Error(`unknown rollback level ${request.level}; one of ${rollbackLevels.join(', ')}`);
  const requestId = pipelineRequestIdSchema.parse(request.requestId);
  return startEmergencyRollback(client, taskQueue, {
    runId: request.runId,
    triggerId: `admin-${requestId}`,
    level: request.level,
    reason: request.reason,
    trigger: { kind: 'admin', requestedBy: request.requestedBy },
    ...(request.checkpointId ? { checkpointId: esperIdSchema.parse(request.checkpointId) } : {}),
    ...(request.deadlinesMs ? { deadlinesMs: request.deadlinesMs } : {}),
  });
}
