/**
 * The health registry's message on the bus: a CIRCUIT_BREAKER AdaptationCommand telling every training run that a
 * subsystem's breaker opened (go conservative: no new germinations, SAFE blueprints only) or was reset. The
 * envelope id is the command id, so a retried activity publishes the same envelope and consumers drop the copy.
 */
import type { EsperSubsystem } from '../../contracts/esper/common';
import { ALL_RUNS } from '../../contracts/esper/health';
import type { ActivityDeps } from '../deps';
import { createEnvelopePublisher, type Published } from './publish-envelope';

/** A breaker command is stale a minute after it was issued (the bus refuses stale envelopes anyway). */
const COMMAND_VALID_MS = 60_000;

export interface BreakerCommandInput {
  /** Unique per breaker change (the health workflow derives it from the subsystem and the time of the change). */
  commandId: string;
  subsystem: EsperSubsystem;
  action: 'OPEN' | 'RESET';
  issuedAt: string;
}

/** `publishCircuitBreakerCommand`. */
export function createBreakerPublishing(deps: ActivityDeps) {
  const publish = createEnvelopePublisher(deps);

  /** Tells every training run that `subsystem`'s breaker opened or closed. */
  const publishCircuitBreakerCommand = (input: BreakerCommandInput): Promise<Published> =>
    publish(
      'adaptation-command',
      {
        version: 1,
        type: 'CIRCUIT_BREAKER',
        commandId: input.commandId,
        runId: ALL_RUNS,
        issuedAt: input.issuedAt,
        issuedBy: 'relay',
        executionDeadline: new Date(Date.parse(input.issuedAt) + COMMAND_VALID_MS).toISOString(),
        payload: { subsystem: input.subsystem, action: input.action },
      },
      input.commandId,
    );

  return { publishCircuitBreakerCommand };
}
