import type { InboundMessage, ReplyButtons, Role } from '../contracts/message';
import { builtinCommands } from '../domain/routing';
import { chatPreferencesKey, type ChatPreferences } from './build-context';
import type { ActivityDeps } from './deps';
import { createEsperCommands } from './esper/commands';
import { createRollbackCommand } from './esper/rollback-command';
import { createEsperViews } from './esper/status-commands';

export interface CommandRequest {
  message: InboundMessage;
  role: Role;
  command: { name: string; args: string };
  workspace: string;
  conversationKey: string;
}

/** A command's answer: text, or text with buttons under it. */
export type CommandAnswer = string | { text: string; buttons?: ReplyButtons };

/** The name the router gives a press of a /rollback confirmation button. */
export const ROLLBACK_PRESS_COMMAND = 'rollback_press';

const NO_CLIENT = 'Esper commands are not available on this worker (it has no Temporal client).';

/** The built-in commands, answered without Claude so they work even when AI is not configured. */
export function createCommandRunner(deps: ActivityDeps) {
  const { store, workspaces } = deps;
  const conversations = store.conversations;
  const runEsperCommand = createEsperCommands(deps);
  const rollback = createRollbackCommand(deps, deps.esper?.rollbackConfirmationMs);
  const views = createEsperViews(deps);
  const help = () =>
    [
      'Commands:',
      ...Object.entries(builtinCommands).map(([name, what]) => `/${name} — ${what}`),
      '',
      'Anything else is sent to the assistant.',
    ].join('\n');

  /** The Esper commands that read or steer workflows through the worker's Temporal client. */
  async function runEsperControl({ message, role, command }: CommandRequest): Promise<CommandAnswer> {
    const client = deps.temporal;
    if (!client) return NO_CLIENT;
    switch (command.name) {
      case 'status':
        return views.status(client, command.args);
      case 'seeds':
        return views.seeds(client, command.args);
      case 'health':
        return views.health(client);
      case 'rollback':
        return role === 'admin' ? rollback.askToConfirm(client, message, command.args) : 'Sorry, only admins can roll back training runs.';
      default:
        return rollback.press(client, message);
    }
  }

  return async function runCommand(request: CommandRequest): Promise<CommandAnswer> {
    const { message, role, command, workspace, conversationKey } = request;
    switch (command.name) {
      case 'start':
        return `Hello! I am the esper-relay assistant.\n\n${help()}`;
      case 'help':
        return help();
      case 'whoami':
        return `user ${message.userId}, chat ${message.chatId} (${message.channel}), role ${role}, workspace ${workspace}`;
      case 'reset':
        await conversations.reset(conversationKey);
        return `Forgot this conversation in workspace ${workspace}.`;
      case 'workspace': {
        const names = Object.keys(workspaces.workspaces);
        if (!command.args) return `Workspace: ${workspace}. Available: ${names.join(', ')}.`;
        const wanted = command.args.toLowerCase();
        if (!names.includes(wanted)) return `There is no workspace "${command.args}". Available: ${names.join(', ')}.`;
        await store.update<ChatPreferences>(chatPreferencesKey(message), (prefs = {}) => ({ ...prefs, workspace: wanted }));
        return `Switched to workspace ${wanted}.`;
      }
      case 'blueprints':
      case 'compile':
      case 'approve':
        return runEsperCommand(request);
      case 'status':
      case 'seeds':
      case 'health':
      case 'rollback':
      case ROLLBACK_PRESS_COMMAND:
        return runEsperControl(request);
      default:
        return `Unknown command /${command.name}. Try /help.`;
    }
  };
}
