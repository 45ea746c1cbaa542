/**
 * Conservative mode at the door of the blueprint pipeline: while any subsystem's circuit breaker is open or
 * half-open, only SAFE blueprints may be compiled. `/compile` asks the health registry before it starts a run,
 * and tells the admin why an EXPERIMENTAL or HIGH_RISK blueprint is refused and when to try again.
 */
import type { Client } from '@temporalio/client';
import { readEsperHealth } from '../../client/esper/health-client';
import type { EsperHealthStatus } from '../../contracts/esper/health';
import { blueprintTier, type BlueprintId } from '../../contracts/esper/lifecycle';
import type { ActivityDeps } from '../deps';

/** Why `blueprintId` may not be compiled now, or undefined when it may (SAFE, or no breaker open). */
export async function conservativeModeRefusal(client: Client, taskQueue: string, blueprintId: BlueprintId): Promise<string | undefined> {
  const tier = blueprintTier(blueprintId);
  if (tier === 'SAFE') return undefined;
  const health = await readEsperHealth(client, taskQueue);
  if (!health?.conservativeMode.on) return undefined;
  return `Refused: Esper is in conservative mode${health.conservativeMode.since ? ` since ${health.conservativeMode.since}` : ''} (${describeBreakers(health)}), so only SAFE blueprints compile and ${blueprintId} is ${tier}. Try again once /health shows every breaker closed, or compile a SAFE blueprint (BP001–BP035).`;
}

function describeBreakers(health: EsperHealthStatus): string {
  const open = health.subsystems.filter((s) => s.breaker !== 'closed');
  return open
    .map(
      (s) =>
        `${s.subsystem}'s breaker ${s.breaker}${s.breaker === 'open' && s.halfOpenAt ? ` until ${s.halfOpenAt}` : ''}${s.lastFailure ? `: ${s.lastFailure.reason}` : ''}`,
    )
    .join('; ');
}

/**
 * `checkConservativeMode`: the pipeline's own check at its start, so a run started some other way than /compile
 * (the CLI, a client) is refused too.
 */
export function createConservativeGate({ temporal, config }: ActivityDeps) {
  async function checkConservativeMode({ blueprintId }: { blueprintId: BlueprintId }): Promise<{ refusal?: string }> {
    // A worker without a client cannot ask (unit tests); /compile has asked already.
    if (!temporal) return {};
    const refusal = await conservativeModeRefusal(temporal, config.temporal.taskQueue, blueprintId);
    return refusal ? { refusal } : {};
  }
  return { checkConservativeMode };
}
