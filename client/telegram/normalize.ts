/**
 * Turns a Telegram update into our `InboundMessage`, validated with zod at both ends: the update's shape first
 * (`update-schema.ts`), then the message the pipeline gets. Pure: no I/O.
 */
import { inboundMessageSchema, MAX_TEXT_CHARS_AT_BOUNDARY, type InboundMessage, type MessageKind } from '../../contracts/message';
import { parseTelegramUpdate, type TelegramCallbackQuery, type TelegramMessage } from './update-schema';

/**
 * Why an update was skipped: `malformed` — a shape Telegram does not send; `unsupported` — a real update the
 * relay has no use for (a poll, a member change, a message without a sender); `invalid` — its message breaks our
 * own contract (an over-long username or button payload).
 */
export type SkipReason = 'malformed' | 'unsupported' | 'invalid';

export type NormalizeResult = { ok: true; message: InboundMessage } | { ok: false; skip: SkipReason; reason: string };

/** Which field of a Telegram message decides its kind, in priority order. */
const kindFields: [keyof TelegramMessage, MessageKind][] = [
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

export function normalizeUpdate(raw: unknown, receivedAt = new Date()): NormalizeResult {
  const parsed = parseTelegramUpdate(raw);
  if (!parsed.ok) return { ok: false, skip: 'malformed', reason: parsed.reason };
  const update = parsed.update;
  if (update.callback_query) return normalizeCallback(update.callback_query, receivedAt);
  const edited = Boolean(update.edited_message);
  const message = update.message ?? update.edited_message;
  if (!message) {
    const fields = Object.keys(update).filter((key) => key !== 'update_id');
    return { ok: false, skip: 'unsupported', reason: `update ${update.update_id} carries no message (${fields.join(', ') || 'empty'})` };
  }
  if (!message.from) return { ok: false, skip: 'unsupported', reason: `message ${message.message_id} has no sender (channel post?)` };

  const kind = kindFields.find(([field]) => message[field] !== undefined)?.[1] ?? 'unknown';
  return validate({
    channel: 'telegram',
    chatId: String(message.chat.id),
    userId: String(message.from.id),
    // An edit keeps the message id; the edit date makes it a message of its own, not a duplicate.
    messageId: edited ? `${message.message_id}-edit-${String(message.edit_date ?? 0)}` : String(message.message_id),
    kind,
    edited,
    ...textFields(message.text ?? message.caption),
    username: message.from.username,
    attachment: attachmentOf(message),
    location: message.location && { latitude: message.location.latitude, longitude: message.location.longitude },
    sentAt: new Date(message.date * 1000).toISOString(),
    receivedAt: receivedAt.toISOString(),
  });
}

/**
 * A text over the boundary cap is cut to it and keeps its real length, so the security gate can refuse it with
 * that length instead of the message vanishing.
 */
function textFields(text: string | undefined): Pick<InboundMessage, 'text' | 'textLength'> {
  if (text === undefined || text.length <= MAX_TEXT_CHARS_AT_BOUNDARY) return { text };
  return { text: text.slice(0, MAX_TEXT_CHARS_AT_BOUNDARY), textLength: [...text].length };
}

/** The message with another text (a group mention taken out), cut to the boundary cap like any text. */
export function replaceText(message: InboundMessage, text: string): InboundMessage {
  return { ...message, textLength: undefined, ...textFields(text) };
}

function normalizeCallback(query: TelegramCallbackQuery, receivedAt: Date): NormalizeResult {
  return validate({
    channel: 'telegram',
    chatId: String(query.message?.chat.id ?? query.from.id),
    userId: String(query.from.id),
    messageId: `cb${query.id}`.slice(0, 64),
    kind: 'callback',
    callbackData: query.data,
    callbackMessageId: query.message === undefined ? undefined : String(query.message.message_id),
    username: query.from.username,
    receivedAt: receivedAt.toISOString(),
  });
}

function attachmentOf(message: TelegramMessage): InboundMessage['attachment'] {
  const file =
    message.photo?.at(-1) ?? message.document ?? message.voice ?? message.audio ?? message.video ?? message.video_note ?? message.sticker;
  if (!file) return undefined;
  return { fileId: file.file_id, sizeBytes: file.file_size, mimeType: file.mime_type, fileName: file.file_name };
}

function validate(candidate: unknown): NormalizeResult {
  const parsed = inboundMessageSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, message: parsed.data };
  const reason = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  return { ok: false, skip: 'invalid', reason };
}
