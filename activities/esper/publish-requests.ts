/**
 * The pipeline's requests to Esper, published on the bus as signed envelopes. Envelope ids are derived from the
 * job id, so a retried activity publishes the same envelope again and every consumer drops the copy: Tezzeret
 * compiles a job once and Urabrask validates a kernel once, however often the activity ran.
 */
import type { CompileRequest } from '../../contracts/esper/kernels';
import type { ValidationRequest } from '../../contracts/esper/validation-request';
import type { ActivityDeps } from '../deps';
import { createEnvelopePublisher } from './publish-envelope';

/** A compile request without the fields the activity fills in. */
export type CompileRequestInput = Omit<CompileRequest, 'version' | 'requestedBy'>;
/** A validation request without the fields the activity fills in. */
export type ValidationRequestInput = Omit<ValidationRequest, 'version' | 'requestedBy'>;

export type { Published } from './publish-envelope';

/** `publishCompileRequest` (to Tezzeret) and `requestValidation` (to Urabrask). */
export function createEsperPublishing(deps: ActivityDeps) {
  const publish = createEnvelopePublisher(deps);

  /** Asks Tezzeret to compile; the answer (KernelReady / KernelError) comes back as a signal. */
  const publishCompileRequest = (input: CompileRequestInput) =>
    publish('compile-request', { version: 1, ...input, requestedBy: 'relay' }, `${input.jobId}.compile`);

  /** Asks Urabrask to validate a kernel; the SafetySheet (and BenchmarkReport) come back as signals. */
  const requestValidation = (input: ValidationRequestInput) =>
    publish('validation-request', { version: 1, ...input, requestedBy: 'relay' }, `${input.requestId}.validate.${input.kernelId}`);

  return { publishCompileRequest, requestValidation };
}
