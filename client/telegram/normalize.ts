/**
 * Turns a raw Telegram update into our `InboundMessage`, validated with zod. Pure: no I/O.
 */
import type { Update } from 'telegraf/types';
import { inboundMessageSchema, type InboundMessage, type MessageKind } from '../../contracts/message';

export type NormalizeResult = { ok: true; message: InboundMessage } | { ok: false; reason: string };

type AnyMessage = Record<string, unknown> & {
  message_id: number;
  date: number;
  chat: { id: number };
  from?: { id: number; username?: string };
};

/** Which field of a Telegram message decides its kind, in priority order. */
const kindFields: [string, MessageKind][] = [
  ['photo', 'photo'],
  ['document', 'document'],
  ['voice', 'voice'],
  ['audio', 'audio'],
  ['video', 'video'],
  ['video_note', 'video'],
  ['sticker', 'sticker'],
  ['location', 'location'],
  ['contact', 'contact'],
  ['text', 'text'],
];

export function normalizeUpdate(update: Update, receivedAt = new Date()): NormalizeResult {
  const raw = update as unknown as Record<string, unknown>;
  if (raw.callback_query) return normalizeCallback(raw.callback_query as Record<string, unknown>, receivedAt);
  const edited = Boolean(raw.edited_message);
  const message = (raw.message ?? raw.edited_message) as AnyMessage | undefined;
  if (!message)
    return {
      ok: false,
      reason: `update ${update.update_id} carries no message (${
        Object.keys(raw)
          .filter((k) => k !== 'update_id')
          .join(', ') || 'empty'
      })`,
    };
  if (!message.from) return { ok: false, reason: `message ${message.message_id} has no sender (channel post?)` };

  const kind = kindFields.find(([field]) => message[field] !== undefined)?.[1] ?? 'unknown';
  return validate({
    channel: 'telegram',
    chatId: String(message.chat.id),
    userId: String(message.from.id),
    // An edit keeps the message id; the edit date makes it a message of its own, not a duplicate.
    messageId: edited ? `${message.message_id}-edit-${String(message.edit_date ?? 0)}` : String(message.message_id),
    kind,
    edited,
    text: (message.text ?? message.caption) as string | undefined,
    username: message.from.username,
    attachment: attachmentOf(message),
    location: message.location as InboundMessage['location'],
    receivedAt: receivedAt.toISOString(),
  });
}

function normalizeCallback(query: Record<string, unknown>, receivedAt: Date): NormalizeResult {
  const from = query.from as { id: number; username?: string };
  const message = query.message as AnyMessage | undefined;
  return validate({
    channel: 'telegram',
    chatId: String(message?.chat.id ?? from.id),
    userId: String(from.id),
    messageId: `cb${String(query.id)}`.slice(0, 64),
    kind: 'callback',
    callbackData: query.data as string | undefined,
    callbackMessageId: message?.message_id === undefined ? undefined : String(message.message_id),
    username: from.username,
    receivedAt: receivedAt.toISOString(),
  });
}

function attachmentOf(message: AnyMessage): InboundMessage['attachment'] {
  const photos = message.photo as { file_id: string; file_size?: number }[] | undefined;
  const file = (photos?.at(-1) ??
    message.document ??
    message.voice ??
    message.audio ??
    message.video ??
    message.video_note ??
    message.sticker) as { file_id: string; file_size?: number; mime_type?: string; file_name?: string } | undefined;
  if (!file) return undefined;
  return { fileId: file.file_id, sizeBytes: file.file_size, mimeType: file.mime_type, fileName: file.file_name };
}

function validate(candidate: unknown): NormalizeResult {
  const parsed = inboundMessageSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, message: parsed.data };
  return { ok: false, reason: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') };
}
