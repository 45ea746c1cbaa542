import type { InboundMessage, Role } from '../contracts/message';
import { builtinCommands } from '../domain/routing';
import { chatPreferencesKey, type ChatPreferences } from './build-context';
import type { ActivityDeps } from './deps';
import { createEsperCommands } from './esper-commands';
import { ConversationStore } from './stores/conversation-store';

export interface CommandRequest {
  message: InboundMessage;
  role: Role;
  command: { name: string; args: string };
  workspace: string;
  conversationKey: string;
}

/** The built-in commands, answered without Claude so they work even when AI is not configured. */
export function createCommandRunner(deps: ActivityDeps) {
  const { store, workspaces } = deps;
  const conversations = new ConversationStore(store);
  const runEsperCommand = createEsperCommands(deps);
  const help = () =>
    [
      'Commands:',
      ...Object.entries(builtinCommands).map(([name, what]) => `/${name} — ${what}`),
      '',
      'Anything else is sent to the assistant.',
    ].join('\n');

  return async function runCommand(request: CommandRequest): Promise<string> {
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
      default:
        return `Unknown command /${command.name}. Try /help.`;
    }
  };
}
