/**
 * A deliberately non-deterministic change of `messageWorkflow` (routing before the security gate), used only
 * to prove that the replay test catches such changes.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { RelayActivities } from '../../activities';
import type { InboundMessage } from '../../contracts/message';

const { routeMessage, securityGate } = proxyActivities<RelayActivities>({ startToCloseTimeout: '10 seconds' });

export async function messageWorkflow(message: InboundMessage): Promise<void> {
  await routeMessage(message);
  await securityGate(message);
}
