/**
 * The type router's decision, as a pure function: what kind of message this is and who handles it.
 */
import { parseRollbackCallback } from '../contracts/esper/rollback-confirmation';
import type { InboundMessage, RoutePlan } from '../contracts/message';

/** Commands answered without Claude. Unknown commands go to the agent as text. */
export const builtinCommands = {
  start: 'Say hello and show what the bot can do',
  help: 'List the commands',
  whoami: 'Show your user id, chat id and role',
  workspace: 'Show or switch the workspace: /workspace NAME',
  reset: 'Forget this conversation',
  blueprints: "List Urza's blueprint catalogue, most recent first",
  compile: 'Admins: compile and validate a blueprint: /compile BP007',
  approve: 'Admins: decide a HIGH_RISK blueprint: /approve RUN_ID yes|no [reason]',
  status: "A training run's epoch, losses, latency, seeds and alerts: /status [RUN_ID]",
  seeds: "A training run's seeds: stage, since when, blueprint, risk: /seeds [RUN_ID]",
  health: 'Esper subsystem health, circuit breakers and conservative mode',
  rollback: 'Admins: roll a training run back, after a confirmation: /rollback FREEZE|FAST|FULL [RUN_ID]',
} as const;

const commandPattern = /^\/([a-z][a-z0-9_]{0,31})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/i;

/** Parses `/name args` (with an optional `@botname`), or returns undefined for plain text. */
export function parseCommand(text: string): { name: string; args: string } | undefined {
  const match = commandPattern.exec(text.trim());
  if (!match) return undefined;
  return { name: match[1]!.toLowerCase(), args: (match[2] ?? '').trim() };
}

const unsupported = (what: string): RoutePlan['notice'] => `Sorry, ${what} are not supported yet. Send text, a photo or a document.`;

/** Classifies a message into a route and a plan for the orchestrator. */
export function planRoute(message: InboundMessage): RoutePlan {
  const text = message.text?.trim() ?? '';
  if (message.kind === 'callback') {
    // A /rollback confirmation button; the command runner signals its confirmation workflow.
    if (parseRollbackCallback(message.callbackData))
      return { route: 'callback', handler: 'builtin', command: { name: 'rollback_press', args: '' } };
    return { route: 'callback', handler: 'notice', notice: 'This button has expired.' };
  }
  if (message.edited) {
    return { route: 'edited', handler: 'notice', notice: 'I saw your edit. I answer new messages only, so please send it again.' };
  }
  if (message.kind === 'text') {
    const command = parseCommand(text);
    if (command && Object.hasOwn(builtinCommands, command.name)) return { route: 'command', handler: 'builtin', command };
    return { route: 'text', handler: 'agent', prompt: text };
  }
  const tooBig = tooBigToDownload(message);
  if (tooBig) return { route: message.kind === 'photo' ? 'photo' : 'document', handler: 'notice', notice: tooBig };
  switch (message.kind) {
    case 'photo':
      return { route: 'photo', handler: 'agent', prompt: text || 'The user sent a photo without a caption.' };
    case 'document':
      return {
        route: 'document',
        handler: 'agent',
        prompt: text || `The user sent a document${message.attachment?.fileName ? ` named ${message.attachment.fileName}` : ''}.`,
      };
    case 'location':
      return message.location
        ? {
            route: 'location',
            handler: 'agent',
            prompt: `The user shared a location: ${message.location.latitude}, ${message.location.longitude}.`,
          }
        : { route: 'unsupported', handler: 'notice', notice: 'That location was empty.' };
    case 'voice':
    case 'audio':
      return { route: 'voice', handler: 'notice', notice: unsupported('voice messages') };
    case 'video':
      return { route: 'video', handler: 'notice', notice: unsupported('videos') };
    case 'sticker':
      return { route: 'sticker', handler: 'notice', notice: unsupported('stickers') };
    default:
      return { route: 'unsupported', handler: 'notice', notice: unsupported('messages of this type') };
  }
}

/** Telegram lets bots download files up to 20 MB. */
export const TELEGRAM_DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024;

function tooBigToDownload(message: InboundMessage): string | undefined {
  const size = message.attachment?.sizeBytes;
  if (size === undefined || size <= TELEGRAM_DOWNLOAD_MAX_BYTES) return undefined;
  return `That file is ${(size / (1024 * 1024)).toFixed(1)} MB; Telegram lets bots download files up to 20 MB. Please send a smaller file.`;
}
