/**
 * The bus ingress of the blueprint pipeline: turns Tezzeret's and Urabrask's replies into signals to the pipeline
 * run that asked. The bus entry is acknowledged only once Temporal accepted the signal (the handler resolves
 * then); if Temporal is unreachable the handler throws and the bus retries. A redelivered entry signals again
 * with the same message id, and the run ignores the copy.
 *
 * Routing uses fields the contracts already have: a KernelReady/KernelError carries the compile job id, which
 * is the run's workflow id; a SafetySheet/BenchmarkReport carries only the kernel id, which Urza's catalogue
 * maps to the job that produced it (the run registers the kernel before it asks for the validation).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  benchmarkReportSignal,
  kernelErrorSignal,
  kernelReadySignal,
  pipelineWorkflowIdOfJob,
  safetySheetSignal,
} from '../../contracts/esper/blueprint-pipeline';
import { oonaStreams, type EsperDelivery, type EsperHandler, type EsperTransport } from '../../contracts/esper/transport';

/** The relay's consumer group for pipeline replies. */
export const BLUEPRINT_INGRESS_GROUP = 'relay-blueprint-pipeline';

/** Where the replies arrive: kernel results on their streams, Urabrask's verdicts on `oona.normal`. */
export const blueprintIngressStreams = [oonaStreams.kernelReady, oonaStreams.kernelErrors, oonaStreams.normal] as const;

export interface BlueprintIngressOptions {
  client: Client;
  /** The compile job (= pipeline workflow id) that produced a kernel, from Urza's catalogue; undefined if unknown. */
  findKernelJob: (kernelId: string) => Promise<string | undefined>;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

/** The handler: resolves once the reply is signalled (or deliberately dropped), throws to have it retried. */
export function createBlueprintIngress({ client, findKernelJob, log = () => undefined }: BlueprintIngressOptions): EsperHandler {
  const signal = async (workflowId: string, delivery: EsperDelivery, send: (messageId: string) => Promise<void>) => {
    try {
      await send(delivery.envelope.id);
    } catch (error) {
      // The run is over (or never existed): nobody is waiting, and retrying cannot change that.
      if (error instanceof WorkflowNotFoundError) {
        log(`dropped a ${delivery.kind} for ${workflowId}: no such open pipeline run`, { entryId: delivery.entryId });
        return;
      }
      throw error;
    }
  };

  return async (delivery) => {
    const workflowId = await pipelineOf(delivery, findKernelJob);
    if (!workflowId) return; // not a reply to one of our runs: acknowledged and ignored
    const handle = client.workflow.getHandle(workflowId);
    switch (delivery.kind) {
      case 'kernel-ready':
        return signal(workflowId, delivery, (messageId) => handle.signal(kernelReadySignal, { messageId, message: delivery.message }));
      case 'kernel-error':
        return signal(workflowId, delivery, (messageId) => handle.signal(kernelErrorSignal, { messageId, message: delivery.message }));
      case 'safety-sheet':
        return signal(workflowId, delivery, (messageId) => handle.signal(safetySheetSignal, { messageId, message: delivery.message }));
      case 'benchmark-report':
        return signal(workflowId, delivery, (messageId) => handle.signal(benchmarkReportSignal, { messageId, message: delivery.message }));
    }
  };
}

/** The pipeline run a reply belongs to, if any. */
async function pipelineOf(delivery: EsperDelivery, findKernelJob: BlueprintIngressOptions['findKernelJob']): Promise<string | undefined> {
  switch (delivery.kind) {
    case 'kernel-ready':
    case 'kernel-error':
      return pipelineWorkflowIdOfJob(delivery.message.jobId);
    case 'safety-sheet':
    case 'benchmark-report': {
      const jobId = await findKernelJob(delivery.message.kernelId);
      return jobId === undefined ? undefined : pipelineWorkflowIdOfJob(jobId);
    }
    default:
      return undefined;
  }
}

/** Runs the ingress consumer until `signal` aborts. */
export function runBlueprintIngress(
  transport: EsperTransport,
  options: BlueprintIngressOptions & { signal: AbortSignal; consumer?: string },
): Promise<void> {
  return transport.consume({
    streams: blueprintIngressStreams,
    group: BLUEPRINT_INGRESS_GROUP,
    consumer: options.consumer ?? 'relay-1',
    handler: createBlueprintIngress(options),
    signal: options.signal,
  });
}
