/**
 * Starting a blueprint pipeline run and asking it for an approval: what the CLI and chat commands (next slices)
 * and the tests call. Validates first, so a bad id fails here rather than as a failed run.
 */
import { WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  approveBlueprintUpdate,
  blueprintPipelineWorkflowId,
  pipelineRequestIdSchema,
  type ApprovalDecision,
  type ApprovalRequest,
  type BlueprintPipelineInput,
} from '../../contracts/esper/blueprint-pipeline';
import { blueprintIdSchema, blueprintTier } from '../../contracts/esper/lifecycle';
import type { blueprintPipelineWorkflow } from '../../workflows';

/**
 * Starts `bp-<blueprintId>-<requestId>`. A request id is used once (REJECT_DUPLICATE): the compile job and its
 * envelopes are named after it, so a second run under the same id would have its requests dropped as replays.
 */
export async function startBlueprintPipeline(
  client: Client,
  taskQueue: string,
  input: BlueprintPipelineInput,
): Promise<WorkflowHandle<typeof blueprintPipelineWorkflow>> {
  const blueprintId = blueprintIdSchema.parse(input.blueprintId);
  const requestId = pipelineRequestIdSchema.parse(input.requestId);
  const tier = blueprintTier(blueprintId);
  return client.workflow.start<typeof blueprintPipelineWorkflow>('blueprintPipelineWorkflow', {
    workflowId: blueprintPipelineWorkflowId(blueprintId, requestId),
    taskQueue,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    staticSummary: `Blueprint ${blueprintId} (${tier}): Tezzeret compile → Urabrask validation${tier === 'HIGH_RISK' ? ' → admin approval' : ''} → Urza catalogue`,
    staticDetails: `Requested by ${input.requestedBy}; strategy ${input.strategy ?? 'FAST'}; approvers: ${input.approvers.join(', ') || 'none'}`,
  });
}

/** Sends an approval decision; rejects (WorkflowUpdateFailedError) when the run's validator refuses it. */
export function approveBlueprint(client: Client, workflowId: string, request: ApprovalRequest): Promise<ApprovalDecision> {
  return client.workflow.getHandle(workflowId).executeUpdate(approveBlueprintUpdate, { args: [request] });
}
