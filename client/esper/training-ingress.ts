/**
 * The bus ingress of the training-run entities: every SystemStatePacket, and every TelemetryPacket that names a
 * run, is signal-with-started into that run's `trainingRunWorkflow` (`training-run-<runId>`), so the first packet
 * of a run creates its entity. The bus entry is acknowledged only once Temporal accepted the signal; if Temporal is
 * unreachable the handler throws and the bus retries. A redelivered entry signals again with the same message id,
 * and the entity ignores the copy.
 */
import type { Client } from '@temporalio/client';
import type { EsperReply } from '../../contracts/esper/blueprint-pipeline';
import type { SystemStatePacket } from '../../contracts/esper/system-state';
import type { TelemetryPacket } from '../../contracts/esper/telemetry';
import {
  trainingRunWorkflowId,
  trainingStateSignal,
  trainingTelemetrySignal,
  type TrainingRunInput,
  type TrainingRunSettings,
} from '../../contracts/esper/training-run';
import { oonaStreams, type EsperHandler, type EsperTransport } from '../../contracts/esper/transport';
import type { trainingRunWorkflow } from '../../workflows';

/** The relay's consumer group for training state and telemetry. */
export const TRAINING_INGRESS_GROUP = 'relay-training-runs';

/** State arrives on `oona.normal`, telemetry on `oona.telemetry`. */
export const trainingIngressStreams = [oonaStreams.normal, oonaStreams.telemetry] as const;

export interface TrainingIngressOptions {
  client: Client;
  /** Where the entities run (the worker's task queue). */
  taskQueue: string;
  /** Settings of the entities this ingress starts (tests shrink them); a running entity keeps its own. */
  settings?: Partial<TrainingRunSettings>;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

/** Signal-with-starts one packet into its run's entity; resolves once Temporal accepted it. */
export async function signalTrainingRun(
  client: Client,
  taskQueue: string,
  packet: { kind: 'state'; reply: EsperReply<SystemStatePacket> } | { kind: 'telemetry'; reply: EsperReply<TelemetryPacket> },
  settings?: Partial<TrainingRunSettings>,
): Promise<void> {
  const runId = packet.reply.message.runId!;
  const input: TrainingRunInput = { runId, ...(settings ? { settings } : {}) };
  const common = {
    workflowId: trainingRunWorkflowId(runId),
    taskQueue,
    args: [input] as [TrainingRunInput],
    staticSummary: `Esper training run ${runId}: state and telemetry, alert rules, seed lifecycles`,
    staticDetails: `One entity per run, fed by the bus (oona.normal, oona.telemetry). Query trainingRunStatus for the aggregate.`,
  };
  if (packet.kind === 'state') {
    await client.workflow.signalWithStart<typeof trainingRunWorkflow, [EsperReply<SystemStatePacket>]>('trainingRunWorkflow', {
      ...common,
      signal: trainingStateSignal,
      signalArgs: [packet.reply],
    });
  } else {
    await client.workflow.signalWithStart<typeof trainingRunWorkflow, [EsperReply<TelemetryPacket>]>('trainingRunWorkflow', {
      ...common,
      signal: trainingTelemetrySignal,
      signalArgs: [packet.reply],
    });
  }
}

/** The handler: resolves once the packet is signalled (or is not a run's), throws to have it retried. */
export function createTrainingIngress({ client, taskQueue, settings }: TrainingIngressOptions): EsperHandler {
  return async (delivery) => {
    const messageId = delivery.envelope.id;
    if (delivery.kind === 'system-state') {
      await signalTrainingRun(client, taskQueue, { kind: 'state', reply: { messageId, message: delivery.message } }, settings);
    } else if (delivery.kind === 'telemetry' && delivery.message.runId !== undefined) {
      await signalTrainingRun(client, taskQueue, { kind: 'telemetry', reply: { messageId, message: delivery.message } }, settings);
    }
  };
}

/** Runs the ingress consumer until `signal` aborts. */
export function runTrainingIngress(
  transport: EsperTransport,
  options: TrainingIngressOptions & { signal: AbortSignal; consumer?: string },
): Promise<void> {
  return transport.consume({
    streams: trainingIngressStreams,
    group: TRAINING_INGRESS_GROUP,
    consumer: options.consumer ?? 'relay-1',
    handler: createTrainingIngress(options),
    signal: options.signal,
  });
}
