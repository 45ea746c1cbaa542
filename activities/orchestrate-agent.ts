import type { ContentBlockParam, Message, MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { agentToolDefinitions, type ToolRound } from '../contracts/agent-tools';
import type { AgentReply, GateDecision, InboundMessage, MessageContext, RoutePlan } from '../contracts/message';
import { loadAttachment } from './attachments';
import { keepTyping } from './channels/telegram';
import { createCommandRunner } from './commands';
import type { ActivityDeps } from './deps';
import { heartbeatWhile } from './heartbeat';
import { UsageStore } from '../stores/usage-store';

export interface OrchestrateInput {
  message: InboundMessage;
  gate: GateDecision;
  context: MessageContext;
  plan: RoutePlan;
  /** Tool rounds so far in this answer (the message workflow ran each call as a `runAgentTool` activity). */
  toolRounds?: ToolRound[];
  /** The last round: Claude must answer in text now (no more tools). */
  lastRound?: boolean;
}

export const AI_NOT_CONFIGURED = 'AI is not configured on this relay (no ANTHROPIC_API_KEY). Commands still work: try /help.';

/**
 * Step 4. Carries out the route plan: a notice, a built-in command, or a Claude call with the workspace's
 * system prompt, the history window, and the message (with its photo or document). The exchange is appended to
 * the conversation, keyed by message id, so a retry appends it once and returns the same answer.
 */
export function createOrchestrateAgent(deps: ActivityDeps) {
  const { config, claude, telegram, clock = Date.now } = deps;
  const usageStore = new UsageStore(deps.store);
  const conversations = deps.store.conversations;
  const runCommand = createCommandRunner(deps);

  async function answerWithClaude({ message, context, plan, toolRounds = [], lastRound }: OrchestrateInput): Promise<AgentReply> {
    const prompt = plan.prompt ?? message.text ?? '';
    const { conversationKey, fromSeq, toSeq } = context.history;
    const model = context.workspace.model ?? config.claude.model;
    // A retry after the exchange was recorded (say the worker died right after) returns that same answer, so
    // the user and the history agree and Claude is not billed twice.
    const recorded = await conversations.answerTo(conversationKey, message.messageId);
    if (recorded !== undefined) return { text: recorded, source: 'claude', model };

    const stopTyping = message.channel === 'telegram' && telegram ? keepTyping(telegram, message.chatId) : () => undefined;
    let response: Message;
    try {
      const content = await userContent(message, prompt);
      if (typeof content === 'object' && 'notice' in content) return { text: content.notice, source: 'notice' };
      const history = await conversations.turnsBetween(conversationKey, fromSeq, toSeq);
      // Tools need the worker's Temporal client (they query the Esper workflows); without one, none are offered.
      const tools = deps.temporal || toolRounds.length > 0 ? { tools: agentToolDefinitions() } : {};
      response = await heartbeatWhile((signal) =>
        claude!.createMessage(
          {
            model,
            max_tokens: config.claude.maxTokens,
            system: context.workspace.systemPrompt,
            messages: [
              ...history.map((turn) => ({ role: turn.role, content: turn.text })),
              { role: 'user' as const, content },
              ...toolRounds.flatMap(roundMessages),
            ],
            ...tools,
            ...(lastRound ? { tool_choice: { type: 'none' as const } } : {}),
          },
          signal,
        ),
      );
    } finally {
      stopTyping();
    }
    const toolCalls = lastRound ? [] : toolCallsOf(response);
    const reply = textOf(response) || (toolCalls.length > 0 ? '' : '(The assistant returned an empty answer.)');
    const usage = {
      inputTokens: response.usage.input_tokens,
      outputTokens: response.usage.output_tokens,
      cacheReadTokens: response.usage.cache_read_input_tokens ?? 0,
      cacheWriteTokens: response.usage.cache_creation_input_tokens ?? 0,
    };
    // Each call of one answer counts once: the first under the message id, later rounds under their number.
    const usageKey = toolRounds.length > 0 ? `${message.messageId}#${toolRounds.length}` : message.messageId;
    await usageStore.record(message.userId, usageKey, clock(), usage);
    deps.metrics?.claudeTokens(usage);
    // Not an answer yet: the workflow runs the tools and asks again; only the answer goes into the history.
    if (toolCalls.length > 0) return { text: reply, source: 'claude', model: response.model, usage, toolCalls };
    // The history keeps a text stand-in for an attachment, never its bytes.
    const remembered = message.attachment
      ? `[${message.kind}${message.attachment.fileName ? ` ${message.attachment.fileName}` : ''}] ${prompt}`
      : prompt;
    await conversations.appendExchange(conversationKey, message.messageId, remembered, reply);
    return { text: reply, source: 'claude', model: response.model, usage };
  }

  /** The user turn: the prompt, plus the photo or document fetched from Telegram; or a notice why not. */
  async function userContent(message: InboundMessage, prompt: string): Promise<string | ContentBlockParam[] | { notice: string }> {
    if (!message.attachment || message.channel !== 'telegram' || !telegram) return prompt;
    if (message.kind !== 'photo' && message.kind !== 'document') return prompt;
    const attachment = await loadAttachment(telegram, message);
    if (!attachment.ok) return { notice: attachment.notice };
    return [...attachment.blocks, { type: 'text', text: prompt }];
  }

  return async function orchestrateAgent(input: OrchestrateInput): Promise<AgentReply> {
    const { message, gate, context, plan } = input;
    if (plan.handler === 'notice') return { text: plan.notice ?? 'Nothing to do.', source: 'notice' };
    if (plan.handler === 'builtin' && plan.command) {
      const answer = await runCommand({
        message,
        role: gate.role ?? 'user',
        command: plan.command,
        workspace: context.workspace.name,
        conversationKey: context.history.conversationKey,
      });
      return typeof answer === 'string' ? { text: answer, source: 'command' } : { ...answer, source: 'command' };
    }
    if (!claude) return { text: AI_NOT_CONFIGURED, source: 'notice' };
    return answerWithClaude(input);
  };
}

function textOf(response: Message): string {
  return response.content
    .flatMap((block) => (block.type === 'text' ? [block.text] : []))
    .join('\n')
    .trim();
}

function toolCallsOf(response: Message): NonNullable<AgentReply['toolCalls']> {
  return response.content.flatMap((block) => (block.type === 'tool_use' ? [{ id: block.id, name: block.name, input: block.input }] : []));
}

/** One tool round as the Messages API wants it: the assistant's tool_use turn, then the user's tool_result turn. */
function roundMessages(round: ToolRound): MessageParam[] {
  return [
    {
      role: 'assistant',
      content: [
        ...(round.assistantText ? [{ type: 'text' as const, text: round.assistantText }] : []),
        ...round.calls.map((call) => ({ type: 'tool_use' as const, id: call.id, name: call.name, input: call.input })),
      ],
    },
    {
      role: 'user',
      content: round.results.map((result) => ({
        type: 'tool_result' as const,
        tool_use_id: result.toolUseId,
        content: result.content,
        ...(result.isError ? { is_error: true } : {}),
      })),
    },
  ];
}
