/**
 * Telegram clients cut a long paste into several messages of at most 4096 characters, sent back to back. A
 * message this long is probably such a piece, and the next text from the same user a moment later its
 * continuation. Pure: no I/O.
 */
import type { InboundMessage } from '../contracts/message';

/** A piece at least this long is treated as cut (Telegram's limit is 4096; clients cut at whitespace before it). */
export const CUT_PIECE_MIN_CHARS = 3500;

/** Whether Telegram probably cut this message and more of it is on its way. */
export function looksCut(message: InboundMessage): boolean {
  return message.channel === 'telegram' && message.kind === 'text' && !message.edited && (message.text?.length ?? 0) >= CUT_PIECE_MIN_CHARS;
}

/** Whether `next` continues `message`: plain text from the same user, not a command. */
export function continues(message: InboundMessage, next: InboundMessage): boolean {
  return next.userId === message.userId && next.kind === 'text' && !next.edited && !(next.text ?? '').startsWith('/');
}

/** One message made of the pieces, keeping the first piece's id (and so its workflow id). */
export function joinPieces(first: InboundMessage, next: InboundMessage): InboundMessage {
  return { ...first, text: `${first.text ?? ''}\n${next.text ?? ''}` };
}
