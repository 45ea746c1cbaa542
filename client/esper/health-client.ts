/**
 * Reaching the health registry of a relay task queue: starting it (the worker at start-up), signalling it with a
 * TelemetryPacket or a failure report (starting it if it is not running), and reading its status (`/compile`,
 * `/health`). The registry runs until terminated; a start while it runs is a no-op.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  esperHealthQuery,
  esperHealthWorkflowId,
  healthTelemetrySignal,
  subsystemFailureSignal,
  type EsperHealthOptions,
  type EsperHealthInput,
  type EsperHealthStatus,
  type SubsystemFailureReport,
} from '../../contracts/esper/health';
import type { EsperReply } from '../../contracts/esper/blueprint-pipeline';
import type { TelemetryPacket } from '../../contracts/esper/telemetry';
import type { esperHealthWorkflow } from '../../workflows/esper/health';

const startOptions = (taskQueue: string, options: EsperHealthOptions = {}) => ({
  workflowId: esperHealthWorkflowId(taskQueue),
  taskQueue,
  args: [{ taskQueue, ...options }] as [EsperHealthInput],
  staticSummary: `Esper health registry of ${taskQueue}: a circuit breaker per subsystem, conservative mode while one is open`,
});

/** Starts the registry unless it is running already. */
export async function startEsperHealth(client: Client, taskQueue: string, options?: EsperHealthOptions): Promise<void> {
  try {
    await client.workflow.start<typeof esperHealthWorkflow>('esperHealthWorkflow', startOptions(taskQueue, options));
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/** Signals a TelemetryPacket, starting the registry if needed; resolves once Temporal accepted it. */
export async function signalHealthTelemetry(
  client: Client,
  taskQueue: string,
  reply: EsperReply<TelemetryPacket>,
  options?: EsperHealthOptions,
): Promise<void> {
  await client.workflow.signalWithStart<typeof esperHealthWorkflow, [EsperReply<TelemetryPacket>]>('esperHealthWorkflow', {
    ...startOptions(taskQueue, options),
    signal: healthTelemetrySignal,
    signalArgs: [reply],
  });
}

/** Reports a failure the relay's own coordination saw, starting the registry if needed. */
export async function reportSubsystemFailure(client: Client, taskQueue: string, report: SubsystemFailureReport): Promise<void> {
  await client.workflow.signalWithStart<typeof esperHealthWorkflow, [SubsystemFailureReport]>('esperHealthWorkflow', {
    ...startOptions(taskQueue),
    signal: subsystemFailureSignal,
    signalArgs: [report],
  });
}

/** The registry's status, or undefined when it is not running (nothing has reported yet: no breaker is open). */
export async function readEsperHealth(client: Client, taskQueue: string): Promise<EsperHealthStatus | undefined> {
  try {
    return await client.workflow.getHandle<typeof esperHealthWorkflow>(esperHealthWorkflowId(taskQueue)).query(esperHealthQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}
