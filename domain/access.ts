/**
 * Who may use the relay: the one rule the security gate and the Telegram channel's cheap stranger check share.
 * Pure: no I/O.
 */
import type { RelayConfig } from '../contracts/config';
import type { InboundMessage, Role } from '../contracts/message';

type AccessSettings = Pick<RelayConfig['security'], 'allowedUsers' | 'admins'>;

/** The sender's role, or undefined for a stranger. */
export function roleOf(security: AccessSettings, message: Pick<InboundMessage, 'userId' | 'channel'>): Role | undefined {
  if (security.admins.includes(message.userId)) return 'admin';
  if (security.allowedUsers.includes(message.userId)) return 'user';
  // With no allowlist configured, only the local CLI is trusted (whoever runs it already holds the keys).
  if (security.allowedUsers.length === 0 && message.channel === 'cli') return 'admin';
  return undefined;
}

/** What a stranger is told: enough to ask the operator for access. */
export function strangerNotice(userId: string): string {
  return `Sorry, you are not allowed to use this bot. Ask the operator to add your user id ${userId}.`;
}
