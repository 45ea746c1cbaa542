import type { InboundMessage, RoutePlan } from '../contracts/message';
import { planRoute } from '../domain/routing';

/**
 * Step 3. Classifies the message (command, text, photo, …) into a route plan. The logic is pure and lives in
 * `domain/routing`; running it as an activity records the decision as its own step in the history.
 */
export function createRouteMessage() {
  return async function routeMessage(message: InboundMessage): Promise<RoutePlan> {
    return planRoute(message);
  };
}
