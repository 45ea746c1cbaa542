/**
 * The message contract shared by every channel, the workflows and the activities. Channels normalise what they
 * receive into an `InboundMessage`; the pipeline produces a `MessageOutcome`.
 */
import { z } from 'zod';

export const channels = ['telegram', 'cli', 'esper'] as const;
export type Channel = (typeof channels)[number];

/** What a channel saw, before routing decides what to do with it. */
export const messageKinds = [
  'text',
  'photo',
  'document',
  'voice',
  'audio',
  'video',
  'sticker',
  'location',
  'contact',
  'callback',
  'unknown',
] as const;
export type MessageKind = (typeof messageKinds)[number];

/**
 * Hard cap at the boundary; the security gate applies the configured (no larger) limit with a friendly reply. A
 * channel cuts a longer text to this and records its real length in `textLength`.
 */
export const MAX_TEXT_CHARS_AT_BOUNDARY = 64_000;

const numericId = z.string().regex(/^-?\d{1,20}$/, 'must be a numeric id');

export const attachmentSchema = z.object({
  fileId: z.string().min(1).max(512),
  mimeType: z.string().max(128).optional(),
  fileName: z.string().max(512).optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
});

export const inboundMessageSchema = z.object({
  channel: z.enum(channels),
  chatId: numericId,
  userId: numericId,
  /** Unique within the chat; a redelivery carries the same id, which is what makes dedupe work. */
  messageId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 of [A-Za-z0-9_.:-]'),
  kind: z.enum(messageKinds),
  edited: z.boolean().default(false),
  text: z.string().max(MAX_TEXT_CHARS_AT_BOUNDARY).optional(),
  /** Set when the channel cut a longer text to the boundary cap: its real length in characters (the gate refuses it). */
  textLength: z.number().int().positive().optional(),
  username: z.string().max(64).optional(),
  attachment: attachmentSchema.optional(),
  location: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }).optional(),
  callbackData: z.string().max(64).optional(),
  /** For a callback: the id of the message whose button was pressed (so its buttons can be taken away). */
  callbackMessageId: z
    .string()
    .regex(/^\d{1,20}$/)
    .optional(),
  /** ISO-8601 time the sender's app sent it (Telegram's `date`, whole seconds), when the channel knows it. */
  sentAt: z.iso.datetime().optional(),
  /** ISO-8601 time the channel received the message. */
  receivedAt: z.iso.datetime(),
});
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

/** Validates untrusted input into an `InboundMessage`, or throws a ZodError naming each bad field. */
export function parseInboundMessage(input: unknown): InboundMessage {
  return inboundMessageSchema.parse(input);
}

export const routes = [
  'command',
  'text',
  'photo',
  'document',
  'voice',
  'video',
  'sticker',
  'location',
  'edited',
  'callback',
  'unsupported',
] as const;
export type Route = (typeof routes)[number];

/** What the type router decided: the route and what the orchestrator must do for it. */
export interface RoutePlan {
  route: Route;
  /** `builtin` commands and `notice` replies never call Claude. */
  handler: 'agent' | 'builtin' | 'notice';
  command?: { name: string; args: string };
  /** The text the agent sees (the message, a caption, or a description of the attachment). */
  prompt?: string;
  /** Reply for `notice` plans (e.g. "stickers are not supported yet"). */
  notice?: string;
}

export type Role = 'admin' | 'user';

export interface GateDecision {
  allowed: boolean;
  role?: Role;
  /** Why the message was stopped. */
  reason?: 'unauthorized' | 'rate_limited' | 'budget_exhausted' | 'too_long' | 'empty';
  /** The reply the user gets when stopped. */
  notice?: string;
}

export interface Workspace {
  name: string;
  systemPrompt: string;
  model?: string;
}

/** A reference to the slice of conversation history the agent should see (not the transcript itself). */
export interface HistoryWindow {
  conversationKey: string;
  /** Sequence numbers of the first and last turn included; `fromSeq > toSeq` means no history. */
  fromSeq: number;
  toSeq: number;
  turns: number;
  tokens: number;
}

export interface MessageContext {
  workspace: Workspace;
  history: HistoryWindow;
}

/** An inline button under a reply: its label, and the data a press sends back (Telegram allows 1-64 bytes). */
export interface ReplyButton {
  text: string;
  callbackData: string;
}

/** Rows of inline buttons, top to bottom. */
export type ReplyButtons = ReplyButton[][];

/** One call of a Claude tool, as the model asked for it (the Messages API's `tool_use` block). */
export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

export interface AgentReply {
  text: string;
  source: 'claude' | 'command' | 'notice';
  /** Buttons the reply carries (a confirmation); channels without buttons show them as text. */
  buttons?: ReplyButtons;
  /** Tools Claude asked to run before it answers; `text` is then what it said alongside (often empty). */
  toolCalls?: ToolCall[];
  model?: string;
  usage?: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number };
}

export interface DeliveryReceipt {
  channel: Channel;
  parts: number;
  /** Ids the channel gave the sent parts (Telegram message ids); empty for channels that return the reply. */
  messageIds: string[];
}

export type Outcome = 'answered' | 'denied' | 'rate_limited' | 'rejected' | 'failed';

export interface StepRecord {
  step: 'securityGate' | 'buildContext' | 'routeMessage' | 'orchestrateAgent' | 'deliverResponse';
  ms: number;
  detail?: string;
}

/** The result of one `messageWorkflow`, also what `relay send --json` prints. */
export interface MessageOutcome {
  workflowId: string;
  outcome: Outcome;
  route?: Route;
  reply: string;
  /** The reply's inline buttons, when it has some. */
  buttons?: ReplyButtons;
  steps: StepRecord[];
}
