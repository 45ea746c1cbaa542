/**
 * The pipeline's requests to Esper, published on the bus as signed envelopes. Envelope ids are derived from the
 * job id, so a retried activity publishes the same envelope again and every consumer drops the copy: Tezzeret
 * compiles a job once and Urabrask validates a kernel once, however often the activity ran.
 */
import { sealEsperMessage } from '../../contracts/esper/envelope-signing';
import type { CompileRequest } from '../../contracts/esper/kernels';
import { parseEsperMessage, type EsperMessageByKind } from '../../contracts/esper/registry';
import { streamFor } from '../../contracts/esper/transport';
import type { ValidationRequest } from '../../contracts/esper/validation-request';
import { failureTypes, retryableFailure, terminalFailure } from '../../contracts/errors';
import type { ActivityDeps } from '../deps';
import { requireEsper } from './require-esper';

/** A compile request without the fields the activity fills in. */
export type CompileRequestInput = Omit<CompileRequest, 'version' | 'requestedBy'>;
/** A validation request without the fields the activity fills in. */
export type ValidationRequestInput = Omit<ValidationRequest, 'version' | 'requestedBy'>;

export interface Published {
  envelopeId: string;
  entryId: string;
}

/** `publishCompileRequest` (to Tezzeret) and `requestValidation` (to Urabrask). */
export function createEsperPublishing(deps: ActivityDeps) {
  const { clock = Date.now } = deps;

  async function publish<K extends 'compile-request' | 'validation-request'>(
    kind: K,
    payload: EsperMessageByKind[K],
    envelopeId: string,
  ): Promise<Published> {
    const { transport, signingSecret } = requireEsper(deps);
    // Checked here, so a bad request fails this activity for good instead of being dead-lettered far away.
    const parsed = parseEsperMessage(kind, payload);
    if (!parsed.ok) throw terminalFailure(failureTypes.invalidInput, `refusing to publish an invalid ${kind}: ${parsed.detail}`);
    // sentAt is the time of this attempt: a retry minutes later must not look stale to the consumers.
    const envelope = sealEsperMessage({ kind, payload, id: envelopeId, origin: 'relay', sentAt: new Date(clock()) }, signingSecret);
    const stream = streamFor({ kind, message: payload } as Parameters<typeof streamFor>[0]);
    try {
      return { envelopeId, entryId: await transport.publish(stream, envelope) };
    } catch (error) {
      if (error instanceof TypeError) throw terminalFailure(failureTypes.invalidInput, error.message);
      // Backpressure and an unreachable Redis pass: retry with backoff.
      throw retryableFailure(failureTypes.networkFailed, `could not publish the ${kind} to ${stream}: ${(error as Error).message}`);
    }
  }

  /** Asks Tezzeret to compile; the answer (KernelReady / KernelError) comes back as a signal. */
  const publishCompileRequest = (input: CompileRequestInput) =>
    publish('compile-request', { version: 1, ...input, requestedBy: 'relay' }, `${input.jobId}.compile`);

  /** Asks Urabrask to validate a kernel; the SafetySheet (and BenchmarkReport) come back as signals. */
  const requestValidation = (input: ValidationRequestInput) =>
    publish('validation-request', { version: 1, ...input, requestedBy: 'relay' }, `${input.requestId}.validate.${input.kernelId}`);

  return { publishCompileRequest, requestValidation };
}
