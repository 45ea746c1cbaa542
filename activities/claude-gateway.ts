import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming, Message } from '@anthropic-ai/sdk/resources/messages';
import { failureTypes, parseRetryAfter, retryableFailure, terminalFailure } from '../contracts/errors';
import { translateClaudeError } from './claude';

/** One configured API key's client; `label` ("key 2") is what logs show, never the key. */
export interface ClaudeKey {
  label: string;
  client: Pick<Anthropic, 'messages'>;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface ClaudeGatewayOptions {
  /** Consecutive failures (overloads, 5xx, network) that open the breaker. */
  failureThreshold?: number;
  /** How long an open breaker refuses calls before letting one trial call through. */
  openMs?: number;
  /** How long a key answered 401/403 is left out before it is tried again. */
  rejectedKeyCooldownMs?: number;
  clock?: () => number;
  onBreakerChange?: (state: BreakerState, reason: string) => void;
  /** Called after every request to Claude with `ok` or the failure type. */
  onCall?: (outcome: string) => void;
}

/**
 * All calls to Claude go through here: several API keys rotated on 429 (rate limited) and 401/403 (rejected),
 * and a circuit breaker (3 failures → open 30 s → half-open) so a Claude outage fails fast instead of piling up
 * slow retries. One gateway per worker process.
 */
export class ClaudeGateway {
  private readonly coolingUntil: number[];
  private next = 0;
  private failures = 0;
  private openUntil = 0;
  private readonly failureThreshold: number;
  private readonly openMs: number;
  private readonly rejectedKeyCooldownMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly keys: ClaudeKey[],
    private readonly options: ClaudeGatewayOptions = {},
  ) {
    if (keys.length === 0) throw new Error('ClaudeGateway needs at least one API key');
    this.coolingUntil = keys.map(() => 0);
    this.failureThreshold = options.failureThreshold ?? 3;
    this.openMs = options.openMs ?? 30_000;
    this.rejectedKeyCooldownMs = options.rejectedKeyCooldownMs ?? 10 * 60_000;
    this.clock = options.clock ?? Date.now;
  }

  /** `closed` (calls go through), `open` (calls fail fast), or `half-open` (the next call is a trial). */
  breakerState(): BreakerState {
    if (this.failures < this.failureThreshold) return 'closed';
    return this.clock() < this.openUntil ? 'open' : 'half-open';
  }

  /** Sends one Messages API request, rotating keys; throws failures from our taxonomy. */
  async createMessage(params: MessageCreateParamsNonStreaming, signal?: AbortSignal): Promise<Message> {
    if (this.breakerState() === 'open') {
      throw retryableFailure(
        failureTypes.circuitOpen,
        `Claude circuit breaker is open after ${this.failures} failures in a row`,
        this.openUntil - this.clock(),
      );
    }
    for (let tried = 0; tried < this.keys.length; tried++) {
      const index = this.pickKey();
      if (index === undefined) break;
      try {
        const message = await this.keys[index]!.client.messages.create(params, { signal });
        this.recordSuccess();
        this.options.onCall?.('ok');
        return message;
      } catch (error) {
        this.options.onCall?.(error instanceof Anthropic.APIError ? String(error.status ?? 'stream-error') : 'network');
        if (!this.rotateAway(index, error)) {
          if (countsAgainstBreaker(error)) this.recordFailure(error);
          throw translateClaudeError(error);
        }
      }
    }
    return this.noKeyLeft();
  }

  /** The next key that is not cooling down, round robin, or undefined when all are. */
  private pickKey(): number | undefined {
    const now = this.clock();
    for (let step = 0; step < this.keys.length; step++) {
      const index = (this.next + step) % this.keys.length;
      if (this.coolingUntil[index]! <= now) {
        this.next = index;
        return index;
      }
    }
    return undefined;
  }

  /** Puts a throttled or rejected key aside; returns false when the error is not about the key. */
  private rotateAway(index: number, error: unknown): boolean {
    if (!(error instanceof Anthropic.APIError)) return false;
    const now = this.clock();
    if (error.status === 429) this.coolingUntil[index] = now + (parseRetryAfter(error.headers?.get('retry-after')) ?? 30_000);
    else if (error.status === 401 || error.status === 403) this.coolingUntil[index] = now + this.rejectedKeyCooldownMs;
    else return false;
    this.next = (index + 1) % this.keys.length;
    return true;
  }

  private noKeyLeft(): never {
    const now = this.clock();
    const soonest = Math.min(...this.coolingUntil);
    const rejectedAll = this.coolingUntil.every((until) => until - now > this.rejectedKeyCooldownMs / 2);
    if (rejectedAll) {
      throw terminalFailure(
        failureTypes.remoteRejected,
        `Claude rejected every configured API key (${this.keys.length}); check ANTHROPIC_API_KEY`,
      );
    }
    // Whole seconds, like the retry-after headers the cool-downs came from.
    const waitMs = Math.ceil((soonest - now) / 1000) * 1000;
    throw retryableFailure(failureTypes.remoteThrottled, `every Claude API key is rate limited (${this.keys.length})`, waitMs);
  }

  private recordSuccess(): void {
    if (this.failures >= this.failureThreshold) this.options.onBreakerChange?.('closed', 'a trial call succeeded');
    this.failures = 0;
  }

  private recordFailure(error: unknown): void {
    this.failures++;
    if (this.failures >= this.failureThreshold) {
      this.openUntil = this.clock() + this.openMs;
      this.options.onBreakerChange?.('open', `${this.failures} failures in a row, last: ${(error as Error).message}`);
    }
  }
}

/** Overloads, server errors and network failures count; a request Claude refused as invalid does not. */
function countsAgainstBreaker(error: unknown): boolean {
  if (error instanceof Anthropic.APIUserAbortError) return false; // our own cancellation
  if (error instanceof Anthropic.APIConnectionError) return true;
  if (!(error instanceof Anthropic.APIError)) return false;
  return error.status === undefined || error.status >= 500;
}
