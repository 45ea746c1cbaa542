import { afterEach, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities';
import type { RelayStore } from '../../stores/state-store';
import { UsageStore } from '../../stores/usage-store';
import { builtinWorkspaces } from '../../contracts/workspaces';
import { inbound, makeActivities, makeConfig, makeStore, reopenStore, Resources, runActivity } from './support';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('securityGate', () => {
  const resources = new Resources();
  afterEach(() => resources.cleanup());

  function gateWith(env: Record<string, string>, store: RelayStore, clock = () => NOW) {
    const deps: ActivityDeps = { config: makeConfig(env), store, workspaces: builtinWorkspaces, clock };
    return makeActivities(deps).securityGate;
  }

  const limited = { RELAY_ALLOWED_USERS: '42', RELAY_ADMINS: '1', RELAY_RATE_LIMIT: '2/min' };
  const fromUser = (messageId: string, userId = '42') =>
    inbound({ channel: 'telegram', chatId: userId, userId, messageId, text: `message ${messageId}` });

  it('the rate limit survives a worker restart (a new store on the same database)', async () => {
    const store = await makeStore(resources);
    const before = gateWith(limited, store);
    expect(await runActivity(before, fromUser('1'))).toEqual({ allowed: true, role: 'user' });
    expect(await runActivity(before, fromUser('2'))).toEqual({ allowed: true, role: 'user' });

    // The worker restarts: a fresh store instance, same database.
    const after = gateWith(limited, reopenStore(resources, store));
    const third = await runActivity(after, fromUser('3'));

    expect(third.allowed).toBe(false);
    expect(third.reason).toBe('rate_limited');
    expect(third.notice).toMatch(/too fast.*60 s/);
  });

  it('a retried gate for the same message counts once', async () => {
    const gate = gateWith(limited, await makeStore(resources));

    expect((await runActivity(gate, fromUser('1'))).allowed).toBe(true);
    expect((await runActivity(gate, fromUser('1'))).allowed).toBe(true); // retry
    expect((await runActivity(gate, fromUser('2'))).allowed).toBe(true);
    // The limit is now reached; a retry of an already-counted message still passes, a new one does not.
    expect((await runActivity(gate, fromUser('2'))).allowed).toBe(true);
    expect(await runActivity(gate, fromUser('3'))).toMatchObject({ allowed: false, reason: 'rate_limited' });
  });

  it('stops a user who spent the daily token budget until the next UTC day; admins are exempt', async () => {
    let now = NOW;
    const store = await makeStore(resources);
    const gate = gateWith({ ...limited, RELAY_RATE_LIMIT: 'off', RELAY_DAILY_TOKENS: '100' }, store, () => now);
    const usage = new UsageStore(store);
    await usage.record('42', 'm1', now, { inputTokens: 60, outputTokens: 30, cacheReadTokens: 500, cacheWriteTokens: 0 });
    expect((await runActivity(gate, fromUser('2'))).allowed).toBe(true);

    await usage.record('42', 'm2', now, { inputTokens: 5, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0 });
    await usage.record('42', 'm2', now, { inputTokens: 5, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0 }); // a retry
    expect(await runActivity(gate, fromUser('3'))).toMatchObject({
      allowed: false,
      reason: 'budget_exhausted',
      notice: "You have used today's assistant budget (100 of 100 tokens). It resets at 00:00 UTC.",
    });
    await usage.record('1', 'm9', now, { inputTokens: 500, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });
    expect((await runActivity(gate, fromUser('4', '1'))).allowed).toBe(true);

    now += 24 * 60 * 60_000;
    expect((await runActivity(gate, fromUser('5'))).allowed).toBe(true);
  });

  it('the limit frees up once the window has passed', async () => {
    let now = NOW;
    const gate = gateWith(limited, await makeStore(resources), () => now);
    await runActivity(gate, fromUser('1'));
    await runActivity(gate, fromUser('2'));
    expect((await runActivity(gate, fromUser('3'))).allowed).toBe(false);

    now += 60_001;
    expect((await runActivity(gate, fromUser('3'))).allowed).toBe(true);
  });

  it('the limit is per user', async () => {
    const gate = gateWith({ ...limited, RELAY_ALLOWED_USERS: '42,43' }, await makeStore(resources));
    await runActivity(gate, fromUser('1'));
    await runActivity(gate, fromUser('2'));

    expect((await runActivity(gate, fromUser('3'))).allowed).toBe(false);
    expect((await runActivity(gate, fromUser('1', '43'))).allowed).toBe(true);
  });

  it('denies an unknown user with a notice naming their user id', async () => {
    const gate = gateWith(limited, await makeStore(resources));

    const decision = await runActivity(gate, fromUser('1', '987654321'));

    expect(decision.allowed).toBe(false);
    expect(decision.reason).toBe('unauthorized');
    expect(decision.role).toBeUndefined();
    expect(decision.notice).toContain('987654321');
  });

  it('admins bypass the rate limit', async () => {
    const gate = gateWith(limited, await makeStore(resources));

    for (let i = 1; i <= 5; i++) {
      expect(await runActivity(gate, fromUser(String(i), '1'))).toEqual({ allowed: true, role: 'admin' });
    }
  });

  it('with an empty allowlist, a Telegram user is denied and the CLI user is an admin', async () => {
    const gate = gateWith({ RELAY_RATE_LIMIT: '2/min' }, await makeStore(resources));

    const telegram = await runActivity(gate, inbound({ channel: 'telegram', chatId: '42', userId: '42', text: 'hi' }));
    expect(telegram).toMatchObject({ allowed: false, reason: 'unauthorized' });
    expect(telegram.notice).toContain('42');

    for (let i = 0; i < 3; i++) {
      expect(await runActivity(gate, inbound({ channel: 'cli', text: 'hi' }))).toEqual({ allowed: true, role: 'admin' });
    }
  });

  describe('RELAY_MAX_INPUT_CHARS counts code points, not UTF-16 units', () => {
    // 👩‍👩‍👧 is 5 code points (3 emoji joined by 2 ZWJ), 8 UTF-16 units; U+200F is the RTL mark.
    const family = '\u{1F469}\u200D\u{1F469}\u200D\u{1F467}';
    const atLimit = `${family}\u200F\u05E9\u05DC\u05D5\u05DD`; // 5 + 1 + 4 Hebrew letters = 10 code points
    const overLimit = `${atLimit}\u{1F44D}`; // + 👍 = 11 code points

    it('fixture sanity', () => {
      expect([...atLimit]).toHaveLength(10);
      expect(atLimit.length).toBe(13);
      expect([...overLimit]).toHaveLength(11);
      expect(overLimit.length).toBe(15);
    });

    it('allows a text of exactly the limit in code points even though it is longer in UTF-16 units', async () => {
      const gate = gateWith({ ...limited, RELAY_MAX_INPUT_CHARS: '10' }, await makeStore(resources));

      expect(await runActivity(gate, inbound({ channel: 'telegram', chatId: '42', userId: '42', text: atLimit }))).toEqual({
        allowed: true,
        role: 'user',
      });
      expect(await runActivity(gate, inbound({ channel: 'telegram', chatId: '42', userId: '42', text: '\u{1F600}'.repeat(10) }))).toEqual({
        allowed: true,
        role: 'user',
      });
    });

    it('denies one code point more, reporting the length in code points', async () => {
      const gate = gateWith({ ...limited, RELAY_MAX_INPUT_CHARS: '10' }, await makeStore(resources));

      const decision = await runActivity(gate, inbound({ channel: 'telegram', chatId: '42', userId: '42', text: overLimit }));

      expect(decision).toMatchObject({ allowed: false, role: 'user', reason: 'too_long' });
      expect(decision.notice).toContain('11 characters');
      expect(decision.notice).toContain('limit is 10');
    });
  });
});
