/**
 * The one activity of a rollback confirmation: once an admin pressed Confirm, start the emergency rollback as the
 * admin-triggered path does (`requestRollback`), named after the confirmation so a retry finds the same run.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { requestRollback } from '../../client/esper/rollback-client';
import type { RollbackLevel } from '../../contracts/esper/adaptation-command';
import { esperIdSchema } from '../../contracts/esper/common';
import { rollbackWorkflowId } from '../../contracts/esper/rollback';
import { failureTypes, terminalFailure } from '../../contracts/errors';
import type { ActivityDeps } from '../deps';
import { heartbeatWhile } from '../heartbeat';

export interface ConfirmedRollbackInput {
  /** The confirmation's key; the rollback's trigger id is `admin-confirm-<key>`. */
  key: string;
  runId: string;
  level: RollbackLevel;
  confirmedBy: string;
  requestedBy: string;
}

/** `startConfirmedRollback`: returns the emergency rollback's workflow id. */
export function createConfirmedRollback({ config, temporal }: ActivityDeps) {
  return {
    async startConfirmedRollback(input: ConfirmedRollbackInput): Promise<string> {
      if (!temporal) throw terminalFailure(failureTypes.invalidInput, 'this worker has no Temporal client to start rollbacks with');
      // Checked here so that a request that can never start fails at once instead of being retried.
      if (!esperIdSchema.safeParse(input.runId).success)
        throw terminalFailure(failureTypes.invalidInput, `"${input.runId}" is not a run id`);
      if (!config.security.admins.includes(input.confirmedBy))
        throw terminalFailure(failureTypes.invalidInput, `user ${input.confirmedBy} is no longer an admin`);
      const requestId = `confirm-${input.key}`;
      const reason =
        input.confirmedBy === input.requestedBy
          ? `asked and confirmed in chat by admin ${input.confirmedBy}`
          : `asked in chat by admin ${input.requestedBy}, confirmed by admin ${input.confirmedBy}`;
      try {
        const handle = await heartbeatWhile((signal) =>
          temporal.withAbortSignal(signal, () =>
            requestRollback(temporal, config.temporal.taskQueue, config.security.admins, {
              runId: input.runId,
              level: input.level,
              reason,
              requestedBy: input.confirmedBy,
              requestId,
            }),
          ),
        );
        return handle.workflowId;
      } catch (error) {
        // A retry after the start went through: the run exists, and it is the one this confirmation started.
        if (error instanceof WorkflowExecutionAlreadyStartedError) return rollbackWorkflowId(input.runId, `admin-${requestId}`);
        throw error;
      }
    },
  };
}
