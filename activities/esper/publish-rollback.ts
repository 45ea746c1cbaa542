/**
 * Emergency rollback's messages on the bus: a ROLLBACK AdaptationCommand to one subsystem, and the HALT
 * EmergencySignal when the rollback failed for good. Envelope ids are derived from the command id (or the run),
 * so a retried activity publishes the same envelope again and every consumer drops the copy.
 */
import type { AdaptationCommand, RollbackLevel } from '../../contracts/esper/adaptation-command';
import { sealEsperMessage } from '../../contracts/esper/envelope-signing';
import { parseEsperMessage, type EsperMessageByKind } from '../../contracts/esper/registry';
import { streamFor } from '../../contracts/esper/transport';
import { failureTypes, retryableFailure, terminalFailure } from '../../contracts/errors';
import type { ActivityDeps } from '../deps';
import type { Published } from './publish-requests';
import { requireEsper } from './require-esper';

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
  const { clock = Date.now } = deps;

  async function publish<K extends 'adaptation-command' | 'emergency-signal'>(
    kind: K,
    payload: EsperMessageByKind[K],
    envelopeId: string,
  ): Promise<Published> {
    const { transport, signingSecret } = requireEsper(deps);
    const parsed = parseEsperMessage(kind, payload);
    if (!parsed.ok) throw terminalFailure(failureTypes.invalidInput, `refusing to publish an invalid ${kind}: ${parsed.detail}`);
    const envelope = sealEsperMessage({ kind, payload, id: envelopeId, origin: 'relay', sentAt: new Date(clock()) }, signingSecret);
    const stream = streamFor({ kind, message: payload } as Parameters<typeof streamFor>[0]);
    try {
      return { envelopeId, entryId: await transport.publish(stream, envelope) };
    } catch (error) {
      if (error instanceof TypeError) throw terminalFailure(failureTypes.invalidInput, error.message);
      throw retryableFailure(failureTypes.networkFailed, `could not publish the ${kind} to ${stream}: ${(error as Error).message}`);
    }
  }

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
