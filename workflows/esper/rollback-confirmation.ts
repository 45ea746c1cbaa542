/**
 * `rollbackConfirmationWorkflow`: what a chat `/rollback` starts instead of rolling back. It waits for a button
 * press (a signal) from an admin: Confirm starts the emergency rollback as the admin-triggered path does, Cancel
 * ends it, and no press within the timeout ends it expired. Presses by anyone else are recorded and refused; a
 * second press changes nothing. The chat reads each press's verdict through the query.
 */
import { condition, setCurrentDetails, setHandler } from '@temporalio/workflow';
import {
  ROLLBACK_PRESSES_KEPT,
  rollbackConfirmationQuery,
  rollbackPressSignal,
  type RollbackConfirmationInput,
  type RollbackConfirmationStatus,
  type RollbackPress,
} from '../../contracts/esper/rollback-confirmation';
import { storePreset } from '../presets';
import { isoIn } from './pipeline-run';
import { runStep } from './presets';

export async function rollbackConfirmationWorkflow(input: RollbackConfirmationInput): Promise<RollbackConfirmationStatus> {
  const status: RollbackConfirmationStatus = {
    key: input.key,
    runId: input.runId,
    level: input.level,
    requestedBy: input.requestedBy,
    state: 'waiting',
    expiresAt: isoIn(input.timeoutMs),
    presses: {},
  };
  let decision: RollbackPress | undefined;
  setHandler(rollbackConfirmationQuery, () => status);
  setHandler(rollbackPressSignal, (press) => {
    if (status.presses[press.pressId] || Object.keys(status.presses).length >= ROLLBACK_PRESSES_KEPT) return;
    if (!input.admins.includes(press.userId)) status.presses[press.pressId] = 'not-admin';
    else if (decision) status.presses[press.pressId] = 'already-decided';
    else {
      decision = press;
      status.presses[press.pressId] = 'accepted';
    }
  });

  setCurrentDetails(`Waiting for an admin to confirm a **${input.level}** rollback of run ${input.runId} (until ${status.expiresAt})`);
  await condition(() => decision !== undefined, input.timeoutMs);
  if (!decision) return settle(status, 'expired', 'No admin confirmed in time: **expired**, nothing rolled back');
  status.decidedBy = decision.userId;
  if (!decision.confirm) return settle(status, 'cancelled', `**Cancelled** by user ${decision.userId}, nothing rolled back`);

  status.state = 'starting';
  setCurrentDetails(`Confirmed by user ${decision.userId}: starting the rollback`);
  try {
    status.rollbackWorkflowId = await runStep(
      'startConfirmedRollback',
      { ...storePreset, scheduleToCloseTimeout: '2 minutes' },
      `Start the ${input.level} rollback of run ${input.runId}`,
      { key: input.key, runId: input.runId, level: input.level, confirmedBy: decision.userId, requestedBy: input.requestedBy },
    );
  } catch (error) {
    status.failure = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
    return settle(status, 'failed', `The rollback could not be started: ${status.failure}`);
  }
  return settle(status, 'started', `Confirmed by user ${decision.userId}: **started** ${status.rollbackWorkflowId}`);
}

function settle(
  status: RollbackConfirmationStatus,
  state: RollbackConfirmationStatus['state'],
  details: string,
): RollbackConfirmationStatus {
  status.state = state;
  setCurrentDetails(details);
  return status;
}
