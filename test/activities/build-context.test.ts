import { createClaudeGateway } from '../../workers/worker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities';
import { builtinWorkspaces } from '../../contracts/workspaces';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { converse, inbound, makeActivities, makeConfig, makeStore, Resources, runActivity } from './support';

/** A prompt of exactly `length` characters (≈ length / 4 tokens), tagged so it can be recognised. */
const prompt = (tag: string, length = 80) => `${tag} `.padEnd(length, 'x');

describe('buildContext', () => {
  const resources = new Resources();
  let claude: ClaudeDouble;
  let depsFor: (env: Record<string, string>) => ActivityDeps;

  beforeEach(async () => {
    claude = resources.track(await startClaudeDouble());
    const store = await makeStore(resources);
    depsFor = (env) => ({
      config: makeConfig({ RELAY_RATE_LIMIT: 'off', ...env }),
      store,
      workspaces: builtinWorkspaces,
      claude: createClaudeGateway(makeConfig({ ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: claude.url })),
    });
  });

  afterEach(() => resources.cleanup());

  it('starts a new chat with an empty window in the default workspace', async () => {
    const { buildContext } = makeActivities(depsFor({}));

    const context = await runActivity(buildContext, inbound({ chatId: '99' }));

    expect(context.workspace.name).toBe('general');
    expect(context.history).toEqual({ conversationKey: 'history:cli:99:general', fromSeq: 1, toSeq: 0, turns: 0, tokens: 0 });
  });

  it('keeps the whole history when it fits RELAY_HISTORY_TOKENS', async () => {
    const activities = makeActivities(depsFor({ RELAY_HISTORY_TOKENS: '4000' }));
    for (const tag of ['one', 'two', 'three']) await converse(activities, inbound({ text: prompt(tag) }));

    const context = await runActivity(activities.buildContext, inbound());

    expect(context.history).toMatchObject({ fromSeq: 1, toSeq: 6, turns: 6 });
  });

  it('cuts history beyond RELAY_HISTORY_TOKENS to the newest turns that fit', async () => {
    // Each prompt is 80 chars (20 tokens), each echo reply 86 chars (22 tokens): 42 tokens per exchange.
    // A budget of 100 holds the two newest exchanges (84 tokens) but not a third turn.
    const activities = makeActivities(depsFor({ RELAY_HISTORY_TOKENS: '100' }));
    for (const tag of ['one', 'two', 'three', 'four']) await converse(activities, inbound({ text: prompt(tag) }));

    const context = await runActivity(activities.buildContext, inbound({ text: 'five' }));

    expect(context.history).toMatchObject({ fromSeq: 5, toSeq: 8, turns: 4, tokens: 84 });
    expect(context.history.tokens).toBeLessThanOrEqual(100);

    // What Claude then sees: exchanges three and four, then the new question.
    await converse(activities, inbound({ text: 'five' }));
    const sent = claude.requests.at(-1)!.body.messages;
    expect(sent.map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(sent.map((message) => String(message.content).split(' ')[0])).toEqual(['three', 'echo:', 'four', 'echo:', 'five']);
  });

  it('never opens the window with an assistant turn whose question was cut', async () => {
    // Prompts 80 chars (20 tokens), replies 160 chars (40 tokens). Budget 100: reply 2, prompt 2 and reply 1 fit
    // (100 tokens), but reply 1 without its question is dropped.
    claude.setReply(() => 'r'.repeat(160));
    const activities = makeActivities(depsFor({ RELAY_HISTORY_TOKENS: '100' }));
    for (const tag of ['one', 'two']) await converse(activities, inbound({ text: prompt(tag) }));

    const context = await runActivity(activities.buildContext, inbound());

    expect(context.history).toMatchObject({ fromSeq: 3, toSeq: 4, turns: 2, tokens: 60 });
  });

  it('gives an empty window when even the newest turn exceeds the budget', async () => {
    const activities = makeActivities(depsFor({ RELAY_HISTORY_TOKENS: '10' }));
    await converse(activities, inbound({ text: prompt('big', 400) }));

    const context = await runActivity(activities.buildContext, inbound());

    expect(context.history.turns).toBe(0);
    expect(context.history.tokens).toBe(0);
  });
});
