/**
 * Emergency rollback's messages on the bus: a ROLLBACK AdaptationCommand to one subsystem, and the HALT
 * EmergencySignal when the rollback failed for good. Envelope ids are derived from the command id (or the run),
 * so a retried activity publishes the same envelope again and every consumer drops the copy.
 */
import type { AdaptationCommand, RollbackLevel } from '../../contracts/esper/adaptation-command';
import type { ActivityDeps } from '../deps';
import { createEnvelopePublisher, type Published } from './publish-envelope';

export interface RollbackCommandInput {
  commandId: string;
  runId: string;
  level: RollbackLevel;
  reason: string;
  checkpointId?: string;
  issuedAt: string;
  executionDeadline: string;
}

export interface HaltSignalInput {
  /** The rollback's workflow id: the signal's envelope id is derived from it. */
  workflowId: string;
  runId: string;
  reason: string;
  raisedAt: string;
}

/** `publishRollbackCommand` and `publishHaltSignal`. */
export function createRollbackPublishing(deps: ActivityDeps) {
  const publish = createEnvelopePublisher(deps);

  /** Tells one subsystem to roll back; its FieldReport (quoting the command id) comes back as a signal. */
  async function publishRollbackCommand(input: RollbackCommandInput): Promise<Published> {
    const command: AdaptationCommand = {
      version: 1,
      type: 'ROLLBACK',
      commandId: input.commandId,
      runId: input.runId,
      issuedAt: input.issuedAt,
      issuedBy: 'relay',
      executionDeadline: input.executionDeadline,
      payload: {
        level: input.level,
        reason: input.reason,
        ...(input.checkpointId ? { checkpointId: input.checkpointId } : {}),
      },
    };
    return publish('adaptation-command', command, input.commandId);
  }

  /** Stops training: the rollback could not bring the run back to a safe state. */
  const publishHaltSignal = (input: HaltSignalInput) =>
    publish(
      'emergency-signal',
      { version: 1, level: 'HALT', reason: input.reason, origin: 'relay', runId: input.runId, raisedAt: input.raisedAt },
      `${input.workflowId}.halt`,
    );

  return { publishRollbackCommand, publishHaltSignal };
}
