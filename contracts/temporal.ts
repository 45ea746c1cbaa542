/**
 * Temporal names that must hold still: workflow ids, signals, queries and search attributes. Imported by
 * workflows (deterministic) and by clients alike, so this file holds definitions only.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Channel, InboundMessage } from './message';

/** Workflow id of one message: a redelivered update maps to the same id, so it is processed once. */
export function messageWorkflowId(message: Pick<InboundMessage, 'channel' | 'chatId' | 'messageId'>): string {
  return `msg-${message.channel}-${message.chatId}-${message.messageId}`;
}

/** Workflow id of a chat's session: one per chat, which is what orders a chat's messages. */
export function chatSessionWorkflowId(channel: Channel, chatId: string): string {
  return `chat-${channel}-${chatId}`;
}

/**
 * The task queue of the activities that send to Telegram (replies, notices). A separate queue, because its
 * rate limit applies to the whole queue across all workers: that is what keeps the bot under Telegram's limit.
 */
export function outboundTaskQueue(taskQueue: string): string {
  return `${taskQueue}-outbound`;
}

export const searchAttributes = {
  channel: defineSearchAttributeKey('RelayChannel', SearchAttributeType.KEYWORD),
  chatId: defineSearchAttributeKey('RelayChatId', SearchAttributeType.KEYWORD),
  userId: defineSearchAttributeKey('RelayUserId', SearchAttributeType.KEYWORD),
  route: defineSearchAttributeKey('RelayRoute', SearchAttributeType.KEYWORD),
  outcome: defineSearchAttributeKey('RelayOutcome', SearchAttributeType.KEYWORD),
} as const;

/** Every custom search attribute we register on the namespace (all Keyword). */
export const searchAttributeNames = Object.values(searchAttributes).map((key) => key.name);

/** A new message for a chat session (sent with signal-with-start by every channel). */
export const inboundMessageSignal = defineSignal<[InboundMessage]>('inboundMessage');

export interface ChatSessionStatus {
  queued: number;
  processed: number;
  current?: string;
}
export const chatSessionStatusQuery = defineQuery<ChatSessionStatus>('chatSessionStatus');
