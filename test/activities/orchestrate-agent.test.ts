import { createClaudeGateway } from '../../workers/worker';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities';
import { builtinWorkspaces, loadWorkspaces } from '../../contracts/workspaces';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import {
  converse,
  failureOf,
  inbound,
  makeActivities,
  makeConfig,
  makeStore,
  prepareOrchestration,
  Resources,
  runActivity,
} from './support';

describe('orchestrateAgent', () => {
  const resources = new Resources();
  let claude: ClaudeDouble;
  let deps: ActivityDeps;

  beforeEach(async () => {
    claude = resources.track(await startClaudeDouble());
    deps = {
      config: makeConfig({ RELAY_MODEL: 'claude-default-model', RELAY_RATE_LIMIT: 'off' }),
      store: await makeStore(resources),
      workspaces: builtinWorkspaces,
      claude: createClaudeGateway(makeConfig({ ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: claude.url })),
    };
  });

  afterEach(() => resources.cleanup());

  it('answers through Claude and records the exchange in the history', async () => {
    const activities = makeActivities(deps);

    const reply = await converse(activities, inbound({ text: 'ping' }));

    expect(reply).toMatchObject({ text: 'echo: ping', source: 'claude', model: 'claude-default-model' });
    expect(claude.requests).toHaveLength(1);
    expect(claude.requests[0]!.body.messages).toEqual([{ role: 'user', content: 'ping' }]);
    expect((await runActivity(activities.buildContext, inbound())).history.turns).toBe(2);
  });

  describe('Claude failures become Temporal failures', () => {
    it('529 overloaded with retry-after 2 → retryable RemoteThrottled, next retry in 2 s', async () => {
      const activities = makeActivities(deps);
      const input = await prepareOrchestration(activities, inbound({ text: 'hi' }));
      claude.script({ status: 529, retryAfter: 2 });

      const failure = await failureOf(runActivity(activities.orchestrateAgent, input));

      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure.type).toBe('RemoteThrottled');
      expect(failure.nonRetryable).toBe(false);
      expect(failure.nextRetryDelay).toBeDefined();
      expect(msToNumber(failure.nextRetryDelay!)).toBe(2_000);
      expect(claude.requests).toHaveLength(1); // the SDK did not retry on its own
      // A failed call leaves no trace in the conversation.
      expect((await runActivity(activities.buildContext, inbound())).history.turns).toBe(0);
    });

    it('429 rate limited with retry-after 2 → retryable RemoteThrottled, next retry in 2 s', async () => {
      const activities = makeActivities(deps);
      const input = await prepareOrchestration(activities, inbound({ text: 'hi' }));
      claude.script({ status: 429, retryAfter: 2 });

      const failure = await failureOf(runActivity(activities.orchestrateAgent, input));

      expect(failure.type).toBe('RemoteThrottled');
      expect(failure.nonRetryable).toBe(false);
      expect(msToNumber(failure.nextRetryDelay!)).toBe(2_000);
      expect(claude.requests).toHaveLength(1);
    });

    it('500 → retryable RemoteFailed', async () => {
      const activities = makeActivities(deps);
      const input = await prepareOrchestration(activities, inbound({ text: 'hi' }));
      claude.script({ status: 500 });

      const failure = await failureOf(runActivity(activities.orchestrateAgent, input));

      expect(failure.type).toBe('RemoteFailed');
      expect(failure.nonRetryable).toBe(false);
      expect(claude.requests).toHaveLength(1);
    });

    it('401 → non-retryable RemoteRejected', async () => {
      const activities = makeActivities(deps);
      const input = await prepareOrchestration(activities, inbound({ text: 'hi' }));
      claude.script({ status: 401, message: 'invalid x-api-key' });

      const failure = await failureOf(runActivity(activities.orchestrateAgent, input));

      expect(failure.type).toBe('RemoteRejected');
      expect(failure.nonRetryable).toBe(true);
    });

    it('Claude unreachable → retryable NetworkFailed', async () => {
      const gone = await startClaudeDouble();
      await gone.close();
      const activities = makeActivities({
        ...deps,
        claude: createClaudeGateway(makeConfig({ ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: gone.url })),
      });
      const input = await prepareOrchestration(activities, inbound({ text: 'hi' }));

      const failure = await failureOf(runActivity(activities.orchestrateAgent, input));

      expect(failure.type).toBe('NetworkFailed');
      expect(failure.nonRetryable).toBe(false);
    });

    it('after a throttled attempt, the retry answers', async () => {
      const activities = makeActivities(deps);
      const input = await prepareOrchestration(activities, inbound({ text: 'again' }));
      claude.script({ status: 529, retryAfter: 1 });

      await failureOf(runActivity(activities.orchestrateAgent, input));
      const reply = await runActivity(activities.orchestrateAgent, input);

      expect(reply).toMatchObject({ text: 'echo: again', source: 'claude' });
      expect((await runActivity(activities.buildContext, inbound())).history.turns).toBe(2);
    });
  });

  it('appends the exchange to the history exactly once when the activity runs twice for the same message', async () => {
    const activities = makeActivities(deps);
    const message = inbound({ text: 'count me once' });
    const input = await prepareOrchestration(activities, message);

    await runActivity(activities.orchestrateAgent, input);
    await runActivity(activities.orchestrateAgent, input); // the retry of a completed attempt (e.g. lost completion)

    const context = await runActivity(activities.buildContext, inbound({ text: 'next' }));
    expect(context.history.turns).toBe(2);
    // The next question carries that single exchange as history.
    await converse(activities, inbound({ text: 'next' }));
    expect(claude.requests.at(-1)!.body.messages).toEqual([
      { role: 'user', content: 'count me once' },
      { role: 'assistant', content: 'echo: count me once' },
      { role: 'user', content: 'next' },
    ]);
  });

  it('a retry after the exchange was recorded returns the recorded answer without asking Claude again', async () => {
    const activities = makeActivities(deps);
    const input = await prepareOrchestration(activities, inbound({ text: 'what is 2+2?' }));
    let call = 0;
    claude.setReply(() => `answer #${++call}`);

    const first = await runActivity(activities.orchestrateAgent, input);
    const requestsAfterFirst = claude.requests.length;
    const retried = await runActivity(activities.orchestrateAgent, input);

    expect(first.text).toBe('answer #1');
    expect(retried.text).toBe('answer #1');
    expect(claude.requests.length).toBe(requestsAfterFirst);
  });

  it('without Claude configured, answers that AI is not configured (commands still work)', async () => {
    const activities = makeActivities({ ...deps, claude: undefined });

    const reply = await converse(activities, inbound({ text: 'hello?' }));
    const help = await converse(activities, inbound({ text: '/help' }));

    expect(reply.text).toContain('AI is not configured');
    expect(reply.source).toBe('notice');
    expect(help.source).toBe('command');
    expect(help.text).toContain('/workspace');
    expect(claude.requests).toHaveLength(0);
  });

  describe('workspaces', () => {
    function writeWorkspaces(): ActivityDeps['workspaces'] {
      const file = path.join(resources.tempDir(), 'workspaces.json');
      writeFileSync(
        file,
        JSON.stringify({
          default: 'general',
          workspaces: {
            general: { systemPrompt: 'You are the general assistant.' },
            ops: { systemPrompt: 'You are the on-call ops assistant. Be terse.', model: 'claude-ops-model', chats: ['2002'] },
          },
        }),
      );
      return loadWorkspaces(file);
    }

    it("sends the chat's workspace system prompt and model to Claude", async () => {
      const activities = makeActivities({ ...deps, workspaces: writeWorkspaces() });

      const opsReply = await converse(activities, inbound({ chatId: '2002', text: 'disk full on db1' }));
      const generalReply = await converse(activities, inbound({ chatId: '3003', text: 'hi' }));

      expect(claude.requests).toHaveLength(2);
      expect(claude.requests[0]!.body).toMatchObject({ system: 'You are the on-call ops assistant. Be terse.', model: 'claude-ops-model' });
      expect(opsReply.model).toBe('claude-ops-model');
      // A workspace without a model uses RELAY_MODEL.
      expect(claude.requests[1]!.body).toMatchObject({ system: 'You are the general assistant.', model: 'claude-default-model' });
      expect(generalReply.model).toBe('claude-default-model');
    });

    it('/workspace ops switches the chat to ops; the next message uses its prompt and model', async () => {
      const activities = makeActivities({ ...deps, workspaces: writeWorkspaces() });
      expect((await runActivity(activities.buildContext, inbound({ chatId: '3003' }))).workspace.name).toBe('general');

      const switched = await converse(activities, inbound({ chatId: '3003', text: '/workspace ops' }));

      expect(switched.source).toBe('command');
      expect(switched.text).toContain('ops');
      const context = await runActivity(activities.buildContext, inbound({ chatId: '3003' }));
      expect(context.workspace).toEqual({
        name: 'ops',
        systemPrompt: 'You are the on-call ops assistant. Be terse.',
        model: 'claude-ops-model',
      });
      expect(claude.requests).toHaveLength(0); // the command itself never reaches Claude

      await converse(activities, inbound({ chatId: '3003', text: 'status?' }));
      expect(claude.requests[0]!.body).toMatchObject({ system: 'You are the on-call ops assistant. Be terse.', model: 'claude-ops-model' });
      // Other chats are unaffected.
      expect((await runActivity(activities.buildContext, inbound({ chatId: '4004' }))).workspace.name).toBe('general');
    });

    it('/workspace nope answers that there is no such workspace and keeps the current one', async () => {
      const activities = makeActivities({ ...deps, workspaces: writeWorkspaces() });

      const reply = await converse(activities, inbound({ chatId: '3003', text: '/workspace nope' }));

      expect(reply.source).toBe('command');
      expect(reply.text).toMatch(/no workspace "nope"/);
      expect(reply.text).toContain('general');
      expect(reply.text).toContain('ops');
      expect((await runActivity(activities.buildContext, inbound({ chatId: '3003' }))).workspace.name).toBe('general');
    });
  });

  it('/reset empties the history window', async () => {
    const activities = makeActivities(deps);
    await converse(activities, inbound({ text: 'remember the number 42' }));
    await converse(activities, inbound({ text: 'and 43' }));
    expect((await runActivity(activities.buildContext, inbound())).history.turns).toBe(4);

    const reset = await converse(activities, inbound({ text: '/reset' }));

    expect(reset.source).toBe('command');
    const context = await runActivity(activities.buildContext, inbound());
    expect(context.history.turns).toBe(0);
    expect(context.history.tokens).toBe(0);
    await converse(activities, inbound({ text: 'what number?' }));
    expect(claude.requests.at(-1)!.body.messages).toEqual([{ role: 'user', content: 'what number?' }]);
  });
});
