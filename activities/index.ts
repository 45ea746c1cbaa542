import { createAgentTools } from './agent-tools';
import { createBuildContext } from './build-context';
import type { ActivityDeps } from './deps';
import { createDeliverResponse } from './deliver-response';
import { createEsperActivities } from './esper';
import { createNotifications } from './notify';
import { createOrchestrateAgent } from './orchestrate-agent';
import { createRouteMessage } from './route-message';
import { createSecurityGate } from './security-gate';

export type { ActivityDeps } from './deps';

/**
 * The five pipeline activities plus the side notices, built from injected dependencies. Their keys are the
 * activity names in Temporal's history and must not change.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    securityGate: createSecurityGate(deps),
    buildContext: createBuildContext(deps),
    routeMessage: createRouteMessage(),
    orchestrateAgent: createOrchestrateAgent(deps),
    deliverResponse: createDeliverResponse(deps),
    ...createNotifications(deps),
    ...createEsperActivities(deps),
    ...createAgentTools(deps),
  };
}

export type RelayActivities = ReturnType<typeof createActivities>;
