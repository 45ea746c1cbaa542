import type { AgentReply, GateDecision, InboundMessage, MessageContext, RoutePlan } from '../contracts/message';
import { keepTyping } from './channels/telegram';
import { createCommandRunner } from './commands';
import { heartbeatWhile } from './heartbeat';
import type { ActivityDeps } from './deps';
import { ConversationStore } from './stores/conversation-store';
import { UsageStore } from './stores/usage-store';

export interface OrchestrateInput {
  message: InboundMessage;
  gate: GateDecision;
  context: MessageContext;
  plan: RoutePlan;
}

export const AI_NOT_CONFIGURED = 'AI is not configured on this relay (no ANTHROPIC_API_KEY). Commands still work: try /help.';

/**
 * Step 4. Carries out the route plan: a notice, a built-in command, or a Claude call with the workspace's
 * system prompt and the history window. The exchange is appended to the conversation, keyed by message id so a
 * retry appends it once.
 */
export function createOrchestrateAgent(deps: ActivityDeps) {
  const { config, claude, clock = Date.now } = deps;
  const usageStore = new UsageStore(deps.store);
  const conversations = new ConversationStore(deps.store);
  const runCommand = createCommandRunner(deps);

  return async function orchestrateAgent({ message, gate, context, plan }: OrchestrateInput): Promise<AgentReply> {
    if (plan.handler === 'notice') return { text: plan.notice ?? 'Nothing to do.', source: 'notice' };
    if (plan.handler === 'builtin' && plan.command) {
      const text = await runCommand({
        message,
        role: gate.role ?? 'user',
        command: plan.command,
        workspace: context.workspace.name,
        conversationKey: context.history.conversationKey,
      });
      return { text, source: 'command' };
    }
    if (!claude) return { text: AI_NOT_CONFIGURED, source: 'notice' };

    const prompt = plan.prompt ?? message.text ?? '';
    const { conversationKey, fromSeq, toSeq } = context.history;
    // A retry after the exchange was recorded (say the worker died right after) returns that same answer, so
    // the user and the history agree and Claude is not billed twice.
    const recorded = await conversations.answerTo(conversationKey, message.messageId);
    if (recorded !== undefined) return { text: recorded, source: 'claude', model: context.workspace.model ?? config.claude.model };
    const history = await conversations.turnsBetween(conversationKey, fromSeq, toSeq);
    const model = context.workspace.model ?? config.claude.model;
    const stopTyping = message.channel === 'telegram' && deps.telegram ? keepTyping(deps.telegram, message.chatId) : () => undefined;
    let response;
    try {
      response = await heartbeatWhile((signal) =>
        claude.createMessage(
          {
            model,
            max_tokens: config.claude.maxTokens,
            system: context.workspace.systemPrompt,
            messages: [...history.map((turn) => ({ role: turn.role, content: turn.text })), { role: 'user' as const, content: prompt }],
          },
          signal,
        ),
      );
    } finally {
      stopTyping();
    }
    const text = response.content
      .flatMap((block) => (block.type === 'text' ? [block.text] : []))
      .join('\n')
      .trim();
    const reply = text || '(The assistant returned an empty answer.)';
    const usage = {
      inputTokens: response.usage.input_tokens,
      outputTokens: response.usage.output_tokens,
      cacheReadTokens: response.usage.cache_read_input_tokens ?? 0,
      cacheWriteTokens: response.usage.cache_creation_input_tokens ?? 0,
    };
    await usageStore.record(message.userId, message.messageId, clock(), usage);
    await conversations.appendExchange(conversationKey, message.messageId, prompt, reply);
    return { text: reply, source: 'claude', model: response.model, usage };
  };
}
