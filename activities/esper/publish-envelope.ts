/**
 * Publishing one Esper message on the bus as a signed envelope: validated against its contract first (so a bad
 * message fails the activity for good instead of being dead-lettered far away), sealed with the time of this
 * attempt, and put on the stream its kind belongs to.
 */
import { sealEsperMessage } from '../../contracts/esper/envelope-signing';
import { parseEsperMessage, type EsperMessageByKind, type EsperMessageKind } from '../../contracts/esper/registry';
import { streamFor } from '../../contracts/esper/transport';
import { failureTypes, retryableFailure, terminalFailure } from '../../contracts/errors';
import type { ActivityDeps } from '../deps';
import { requireEsper } from './require-esper';

export interface Published {
  envelopeId: string;
  entryId: string;
}

/** A `publish(kind, payload, envelopeId)` bound to the injected bus and signing secret. */
export function createEnvelopePublisher(deps: ActivityDeps) {
  const { clock = Date.now } = deps;
  return async function publish<K extends EsperMessageKind>(
    kind: K,
    payload: EsperMessageByKind[K],
    envelopeId: string,
  ): Promise<Published> {
    const { transport, signingSecret } = requireEsper(deps);
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
  };
}
