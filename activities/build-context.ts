import type { InboundMessage, MessageContext } from '../contracts/message';
import { resolveWorkspace } from '../contracts/workspaces';
import { selectHistoryWindow } from '../domain/history-budget';
import type { ActivityDeps } from './deps';
import { conversationKeyOf } from '../stores/conversation-store';

/** Per-chat preferences set by commands (`/workspace NAME`). */
export interface ChatPreferences {
  workspace?: string;
}

export const chatPreferencesKey = (message: Pick<InboundMessage, 'channel' | 'chatId'>) => `chat:${message.channel}:${message.chatId}`;

/**
 * Step 2. Works out the chat's workspace (system prompt, model) and which slice of the durable conversation
 * history fits the token budget. Returns a reference to that slice, not the transcript, to keep histories small.
 */
export function createBuildContext({ config, store, workspaces }: ActivityDeps) {
  const conversations = store.conversations;
  return async function buildContext(message: InboundMessage): Promise<MessageContext> {
    const preferences = await store.read<ChatPreferences>(chatPreferencesKey(message));
    const workspace = resolveWorkspace(workspaces, message.chatId, preferences?.workspace);
    const conversationKey = conversationKeyOf(message.channel, message.chatId, workspace.name);
    const { window, tokens } = selectHistoryWindow(await conversations.turns(conversationKey), config.context.historyTokenBudget);
    return {
      workspace,
      history: {
        conversationKey,
        fromSeq: window[0]?.seq ?? 1,
        toSeq: window.at(-1)?.seq ?? 0,
        turns: window.length,
        tokens,
      },
    };
  };
}
