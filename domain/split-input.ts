/**
 * Telegram clients cut a long paste into several messages of at most 4096 characters, sent back to back. Only
 * such pieces are joined: a piece that itself reaches nearly the limit, followed within moments by plain text
 * from the same user. A long message followed by separate questions is not a paste; each gets its own answer.
 * Pure: no I/O.
 */
import type { InboundMessage } from '../contracts/message';

/** A piece at least this long was probably cut (Telegram's limit is 4096; clients cut at whitespace just before it). */
export const CUT_PIECE_MIN_CHARS = 3900;
/** Pieces of one paste are sent in the same moment; Telegram dates are whole seconds. */
export const CUT_PIECE_MAX_GAP_MS = 2000;

/** How a chat session decides which queued messages continue a cut one. */
export interface ContinuationRule {
  /** Whether more of the paste may follow, given the message joined so far and its last piece. */
  awaitsMore(joined: InboundMessage, lastPiece: InboundMessage): boolean;
  /** Whether `next` is the piece after `lastPiece`. */
  continues(lastPiece: InboundMessage, next: InboundMessage): boolean;
}

/** The rule: the last piece must look cut, and the next must be the same user's plain text sent right after it. */
export const pasteContinuation: ContinuationRule = {
  awaitsMore: (_joined, lastPiece) => looksCut(lastPiece, CUT_PIECE_MIN_CHARS),
  continues: (lastPiece, next) => isPlainTextFrom(lastPiece.userId, next) && sentBackToBack(lastPiece, next),
};

/**
 * The rule before `chat-session-join-only-cut-pieces`, kept so histories recorded under it replay as written: it
 * tested the length of the joined text, so everything queued behind one long text was joined to it.
 */
export const joinedLengthContinuation: ContinuationRule = {
  awaitsMore: (joined) => looksCut(joined, 3500),
  continues: (lastPiece, next) => isPlainTextFrom(lastPiece.userId, next),
};

/** One message made of the pieces, keeping the first piece's id (and so its workflow id). */
export function joinPieces(first: InboundMessage, next: InboundMessage): InboundMessage {
  return { ...first, text: `${first.text ?? ''}\n${next.text ?? ''}` };
}

function looksCut(message: InboundMessage, minChars: number): boolean {
  return message.channel === 'telegram' && message.kind === 'text' && !message.edited && (message.text?.length ?? 0) >= minChars;
}

function isPlainTextFrom(userId: string, next: InboundMessage): boolean {
  return next.userId === userId && next.kind === 'text' && !next.edited && !(next.text ?? '').startsWith('/');
}

/** Sent within moments of each other; a channel that does not know when messages were sent cannot tell, so yes. */
function sentBackToBack(piece: InboundMessage, next: InboundMessage): boolean {
  if (!piece.sentAt || !next.sentAt) return true;
  const gap = Date.parse(next.sentAt) - Date.parse(piece.sentAt);
  return gap >= 0 && gap <= CUT_PIECE_MAX_GAP_MS;
}
