import { Context } from '@temporalio/activity';
import type { StateStore } from '../../stores/state-store';

/** Telegram allows about one message a second in a chat, and twenty a minute in a group. */
export function paceOf(chatId: string): number {
  return chatId.startsWith('-') ? 3_000 : 1_000;
}

/**
 * Spaces the messages sent to one chat so the bot stays under Telegram's per-chat limits instead of running
 * into 429 flood waits. The last send time is kept in the store, so the pace holds across messages and restarts.
 */
export class ChatPacer {
  constructor(
    private readonly store: StateStore,
    private readonly clock: () => number,
  ) {}

  /** Waits (heartbeating, cancellable) until this chat may get its next message. */
  async waitForTurn(chatId: string): Promise<void> {
    const last = (await this.store.read<number>(`pace:${chatId}`)) ?? 0;
    const waitMs = last + paceOf(chatId) - this.clock();
    if (waitMs <= 0) return;
    const context = Context.current();
    context.heartbeat();
    await context.sleep(Math.min(waitMs, paceOf(chatId)));
  }

  async sent(chatId: string): Promise<void> {
    await this.store.update<number>(`pace:${chatId}`, () => this.clock());
  }
}
