import type { ActivityDeps } from '../deps';
import { createCompileSlotActivities } from './compile-slots';
import { createEsperPublishing } from './publish-requests';
import { createCatalogueActivities } from './urza-catalogue';

export type { EsperDeps } from './deps';

/**
 * The blueprint pipeline's activities: compile slots, requests to Tezzeret and Urabrask, and Urza's catalogue.
 * Spread into `createActivities`; their keys are activity names in Temporal's history and must not change.
 */
export function createEsperActivities(deps: ActivityDeps) {
  return {
    ...createCompileSlotActivities(deps),
    ...createEsperPublishing(deps),
    ...createCatalogueActivities(deps),
  };
}
