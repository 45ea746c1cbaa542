/**
 * The shape of a Telegram update as the Bot API sends it, checked with zod before anything reads it: only the
 * fields the relay uses are described, unknown fields pass through. An update that does not fit (a null chat, a
 * sender without an id, a text that is not a string) is not something Telegram sends, so the channel skips it
 * instead of letting it throw inside the handler. Pure: no I/O.
 */
import { z } from 'zod';

/** Telegram ids are integers of up to 52 bits. */
const telegramId = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
/** Unix seconds; up to 2^32 keeps every date a valid `Date`. */
const unixSeconds = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32);

const userSchema = z.looseObject({ id: telegramId, username: z.string().optional() });
const chatSchema = z.looseObject({ id: telegramId, type: z.enum(['private', 'group', 'supergroup', 'channel']) });
const fileSchema = z.looseObject({
  file_id: z.string(),
  file_size: z.number().optional(),
  mime_type: z.string().optional(),
  file_name: z.string().optional(),
});

const messageSchema = z.looseObject({
  message_id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  date: unixSeconds,
  edit_date: unixSeconds.optional(),
  chat: chatSchema,
  from: userSchema.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  reply_to_message: z.looseObject({ from: userSchema.optional() }).optional(),
  photo: z.array(fileSchema).optional(),
  document: fileSchema.optional(),
  voice: fileSchema.optional(),
  audio: fileSchema.optional(),
  video: fileSchema.optional(),
  video_note: fileSchema.optional(),
  sticker: fileSchema.optional(),
  location: z.looseObject({ latitude: z.number(), longitude: z.number() }).optional(),
  contact: z.looseObject({}).optional(),
});

const callbackQuerySchema = z.looseObject({
  id: z.string(),
  from: userSchema,
  data: z.string().optional(),
  /** The message the button was under; absent when Telegram no longer has it. */
  message: z.looseObject({ message_id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), chat: chatSchema }).optional(),
});

export const telegramUpdateSchema = z.looseObject({
  update_id: z.number().int().min(0),
  message: messageSchema.optional(),
  edited_message: messageSchema.optional(),
  callback_query: callbackQuerySchema.optional(),
});

export type TelegramUpdate = z.infer<typeof telegramUpdateSchema>;
export type TelegramMessage = z.infer<typeof messageSchema>;
export type TelegramCallbackQuery = z.infer<typeof callbackQuerySchema>;

export type ParsedUpdate = { ok: true; update: TelegramUpdate } | { ok: false; reason: string };

/** Checks an update's shape; the reason names each field that is wrong, never a value from it. */
export function parseTelegramUpdate(raw: unknown): ParsedUpdate {
  const parsed = telegramUpdateSchema.safeParse(raw);
  if (parsed.success) return { ok: true, update: parsed.data };
  return { ok: false, reason: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'update'}: ${issue.message}`).join('; ') };
}
