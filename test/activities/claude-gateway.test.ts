import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClaudeGateway, type BreakerState } from '../../activities/claude-gateway';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';

const params = { model: 'claude-test', max_tokens: 64, messages: [{ role: 'user' as const, content: 'ping' }] };

describe('ClaudeGateway', () => {
  let claude: ClaudeDouble;
  let now: number;
  const changes: Array<[BreakerState, string]> = [];
  const gateway = (keys: string[]) =>
    new ClaudeGateway(
      keys.map((apiKey, i) => ({ label: `key ${i + 1}`, client: new Anthropic({ apiKey, baseURL: claude.url, maxRetries: 0 }) })),
      { clock: () => now, onBreakerChange: (state, reason) => changes.push([state, reason]) },
    );
  const keyOf = (index: number) => claude.requests[index]!.headers.authorization;
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApplicationFailure);
    return error as ApplicationFailure;
  };

  beforeEach(async () => {
    claude = await startClaudeDouble();
    now = 1_000_000;
    changes.length = 0;
  });
  afterEach(() => claude.close());

  it('moves to the next key when one is rate limited, within the same call', async () => {
    claude.script({ status: 429, retryAfter: 20 });
    const answer = await gateway(['alpha', 'beta']).createMessage(params);

    expect(answer.content).toEqual([{ type: 'text', text: 'echo: ping' }]);
    expect([keyOf(0), keyOf(1)]).toEqual(['Bearer alpha', 'Bearer beta']);
  });

  it('keeps a rejected key aside and answers with the next one', async () => {
    claude.script({ status: 401 });
    const claudeGateway = gateway(['bad', 'good']);
    await claudeGateway.createMessage(params);
    await claudeGateway.createMessage(params);

    expect(claude.requests.map((r) => r.headers.authorization)).toEqual(['Bearer bad', 'Bearer good', 'Bearer good']);
  });

  it('gives up for good when every key is rejected', async () => {
    claude.script({ status: 401 }, { status: 403 });
    const error = await failure(gateway(['a', 'b']).createMessage(params));

    expect(error).toMatchObject({ type: 'RemoteRejected', nonRetryable: true });
    expect(error.message).toContain('rejected every configured API key (2)');
  });

  it('waits for the soonest key when all are rate limited', async () => {
    claude.script({ status: 429, retryAfter: 20 }, { status: 429, retryAfter: 5 });
    const error = await failure(gateway(['a', 'b']).createMessage(params));

    expect(error).toMatchObject({ type: 'RemoteThrottled', nonRetryable: false, nextRetryDelay: 5000 });
  });

  it('opens the breaker after three overloads, fails fast while open, and closes after a good trial call', async () => {
    const claudeGateway = gateway(['a']);
    claude.script({ status: 529 }, { status: 529 }, { status: 529 });
    for (let i = 0; i < 3; i++) await failure(claudeGateway.createMessage(params));
    expect(claudeGateway.breakerState()).toBe('open');

    const fastFail = await failure(claudeGateway.createMessage(params));
    expect(fastFail).toMatchObject({ type: 'CircuitOpen', nextRetryDelay: 30_000 });
    expect(claude.requests).toHaveLength(3);

    now += 30_000;
    expect(claudeGateway.breakerState()).toBe('half-open');
    await claudeGateway.createMessage(params);
    expect(claudeGateway.breakerState()).toBe('closed');
    expect(changes.map(([state]) => state)).toEqual(['open', 'closed']);
  });

  it('does not count a request Claude refused as invalid against the breaker', async () => {
    const claudeGateway = gateway(['a']);
    claude.script({ status: 400 }, { status: 400 }, { status: 400 });
    for (let i = 0; i < 3; i++) expect(await failure(claudeGateway.createMessage(params))).toMatchObject({ type: 'RemoteRejected' });
    expect(claudeGateway.breakerState()).toBe('closed');
  });
});
