import type { ActivityDeps } from '../deps';
import { createCompileSlotActivities } from './compile-slots';
import { createConfirmedRollback } from './confirmed-rollback';
import { createConservativeGate } from './conservative-gate';
import { createBreakerPublishing } from './publish-breaker';
import { createEsperPublishing } from './publish-requests';
import { createRollbackPublishing } from './publish-rollback';
import { createCatalogueActivities } from './urza-catalogue';

export type { EsperDeps } from './deps';

/**
 * The Esper activities: compile slots, requests to Tezzeret and Urabrask, Urza's catalogue, and emergency
 * rollback's commands and HALT signal, the health registry's CIRCUIT_BREAKER commands.
 * Spread into `createActivities`; their keys are activity names in Temporal's history and must not change.
 */
export function createEsperActivities(deps: ActivityDeps) {
  return {
    ...createCompileSlotActivities(deps),
    ...createEsperPublishing(deps),
    ...createCatalogueActivities(deps),
    ...createRollbackPublishing(deps),
    ...createConfirmedRollback(deps),
    ...createBreakerPublishing(deps),
    ...createConservativeGate(deps),
  };
}
