/**
 * The bus ingress of emergency rollback: an EmergencySignal on `oona.emergency` (read before anything else)
 * starts `emergencyRollbackWorkflow` under an id derived from the signal, and a subsystem's FieldReport about one
 * of the relay's ROLLBACK commands signals the run that sent it. The bus entry is acknowledged only once Temporal
 * accepted the start or the signal; if Temporal is unreachable the handler throws and the bus retries. A copy of
 * a signal (redelivered, or re-published under a new envelope id) maps to the same workflow id, which Temporal
 * refuses to start twice: one rollback per signal.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { EmergencySignal } from '../../contracts/esper/emergency-signal';
import {
  emergencyTriggerId,
  parseRollbackCommandId,
  rollbackAcknowledgedSignal,
  rollbackLevelForEmergency,
  type EmergencyRollbackInput,
} from '../../contracts/esper/rollback';
import { oonaStreams, type EsperDelivery, type EsperHandler, type EsperTransport } from '../../contracts/esper/transport';
import { startEmergencyRollback } from './rollback-client';

/** The relay's consumer group for emergency signals and rollback acknowledgements. */
export const ROLLBACK_INGRESS_GROUP = 'relay-emergency-rollback';

/** Emergency signals first (the consumer loop drains `oona.emergency` before anything else), then field reports. */
export const rollbackIngressStreams = [oonaStreams.emergency, oonaStreams.normal] as const;

export interface RollbackIngressOptions {
  client: Client;
  taskQueue: string;
  /** Overrides of the rollback deadlines for the runs this ingress starts (tests). */
  deadlinesMs?: EmergencyRollbackInput['deadlinesMs'];
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

/** The handler: resolves once the message is started, signalled or deliberately dropped; throws to have it retried. */
export function createRollbackIngress({ client, taskQueue, deadlinesMs, log = () => undefined }: RollbackIngressOptions): EsperHandler {
  async function startFrom(delivery: EsperDelivery, signal: EmergencySignal): Promise<void> {
    const level = rollbackLevelForEmergency(signal);
    if (!level) return; // a NOTICE, or the relay's own HALT: nothing to roll back
    const input: EmergencyRollbackInput = {
      runId: signal.runId,
      triggerId: emergencyTriggerId(signal),
      level,
      reason: signal.reason,
      trigger: {
        kind: 'emergency-signal',
        messageId: delivery.envelope.id,
        origin: signal.origin,
        emergencyLevel: signal.level,
        raisedAt: signal.raisedAt,
      },
      ...(deadlinesMs ? { deadlinesMs } : {}),
    };
    try {
      const handle = await startEmergencyRollback(client, taskQueue, input);
      log(`started ${handle.workflowId} (${level}) for ${signal.origin}'s ${signal.level} signal`, { entryId: delivery.entryId });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      log(`a copy of the signal behind ${error.workflowId}: already rolling back (or done)`, { entryId: delivery.entryId });
    }
  }

  return async (delivery) => {
    if (delivery.kind === 'emergency-signal') return startFrom(delivery, delivery.message);
    if (delivery.kind !== 'field-report') return;
    const command = parseRollbackCommandId(delivery.message.commandId);
    if (!command) return; // a report about someone else's command
    try {
      await client.workflow
        .getHandle(command.workflowId)
        .signal(rollbackAcknowledgedSignal, { messageId: delivery.envelope.id, message: delivery.message });
    } catch (error) {
      // The rollback is over (it escalated past this answer and finished): nobody waits for it.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      log(`dropped a field report for ${command.workflowId}: no such open rollback`, { entryId: delivery.entryId });
    }
  };
}

/** Runs the ingress consumer until `signal` aborts. */
export function runRollbackIngress(
  transport: EsperTransport,
  options: RollbackIngressOptions & { signal: AbortSignal; consumer?: string },
): Promise<void> {
  return transport.consume({
    streams: rollbackIngressStreams,
    group: ROLLBACK_INGRESS_GROUP,
    consumer: options.consumer ?? 'relay-1',
    handler: createRollbackIngress(options),
    signal: options.signal,
  });
}
