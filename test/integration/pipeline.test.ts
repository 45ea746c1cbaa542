/**
 * The pipeline end to end on a real Temporal dev server: real worker, real Anthropic SDK against the Claude
 * double on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitOutcome } from '../../client/ingress';
import { searchAttributes } from '../../contracts/temporal';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { activitiesInHistory, startHarness, uniqueChatId, type Harness } from '../support/harness';

const PIPELINE = ['securityGate', 'buildContext', 'routeMessage', 'orchestrateAgent', 'deliverResponse'];

describe('message pipeline', () => {
  let claude: ClaudeDouble;
  let relay: Harness;

  beforeAll(async () => {
    claude = await startClaudeDouble({ latencyMs: 300 });
    relay = await startHarness({
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: claude.url,
      RELAY_ALLOWED_USERS: '7,8',
      RELAY_ADMINS: '1',
      RELAY_RATE_LIMIT: '100/min',
    });
  });
  afterAll(async () => {
    await relay?.stop();
    await claude?.close();
  });

  it('answers a message through all five steps, visible in the history and search attributes', async () => {
    const chatId = uniqueChatId();
    const outcome = await relay.send('hello relay', { chatId, userId: '7' });

    expect(outcome).toMatchObject({ outcome: 'answered', route: 'text', reply: 'echo: hello relay' });
    expect(outcome.workflowId).toMatch(new RegExp(`^msg-cli-${chatId}-`));
    expect(outcome.steps.map((step) => step.step)).toEqual(PIPELINE);
    expect(await activitiesInHistory(relay.client, outcome.workflowId)).toEqual(PIPELINE);

    const described = await relay.client.workflow.getHandle(outcome.workflowId).describe();
    expect(described.typedSearchAttributes.get(searchAttributes.chatId)).toBe(chatId);
    expect(described.typedSearchAttributes.get(searchAttributes.userId)).toBe('7');
    expect(described.typedSearchAttributes.get(searchAttributes.channel)).toBe('cli');
    expect(described.typedSearchAttributes.get(searchAttributes.route)).toBe('text');
    expect(described.typedSearchAttributes.get(searchAttributes.outcome)).toBe('answered');
  });

  it('keeps the conversation: the second message carries the first exchange as history', async () => {
    const chatId = uniqueChatId();
    await relay.send('my name is Ada', { chatId });
    await relay.send('what is my name?', { chatId });

    const last = claude.requests.at(-1)!.body;
    expect(last.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'my name is Ada'],
      ['assistant', 'echo: my name is Ada'],
      ['user', 'what is my name?'],
    ]);
  });

  it('answers two chats in parallel', async () => {
    const [a, b] = [uniqueChatId(), uniqueChatId()];
    const before = claude.requests.length;
    // Slow answers leave a wide window to see the two calls overlap, even on a busy machine.
    claude.script({ delayMs: 2000 }, { delayMs: 2000 });
    const outcomes = await Promise.all([relay.send('parallel A', { chatId: a }), relay.send('parallel B', { chatId: b })]);

    expect(outcomes.map((o) => o.reply)).toEqual(['echo: parallel A', 'echo: parallel B']);
    const [first, second] = claude.requests.slice(before).sort((x, y) => x.receivedAt - y.receivedAt);
    // The second chat's Claude call started before the first one's answer came back.
    expect(second!.receivedAt).toBeLessThan(first!.answeredAt!);
  });

  it('answers five rapid messages of one chat one at a time, in arrival order', async () => {
    const chatId = uniqueChatId();
    const texts = ['one', 'two', 'three', 'four', 'five'];
    const before = claude.requests.length;
    const ids: string[] = [];
    for (const text of texts) ids.push(await relay.submit(relay.message(text, { chatId })));
    const outcomes = await Promise.all(ids.map((id) => awaitOutcome(relay.client, id)));

    expect(outcomes.map((o) => o.reply)).toEqual(texts.map((t) => `echo: ${t}`));
    const calls = claude.requests.slice(before);
    expect(calls.map((call) => call.body.messages.at(-1)!.content)).toEqual(texts);
    // Strictly one at a time: each call starts after the previous answer.
    for (let i = 1; i < calls.length; i++) expect(calls[i]!.receivedAt).toBeGreaterThanOrEqual(calls[i - 1]!.answeredAt!);
  });

  it('processes a message delivered twice exactly once', async () => {
    const chatId = uniqueChatId();
    const message = relay.message('only once please', { chatId });
    const before = claude.requests.length;
    await Promise.all([relay.submit(message), relay.submit(message)]);
    const outcome = await awaitOutcome(relay.client, await relay.submit(message));
    // A redelivery after the answer went out is dropped too.
    await relay.submit(message);
    await relay.send('a later message', { chatId });

    expect(outcome.reply).toBe('echo: only once please');
    const texts = claude.requests.slice(before).map((call) => call.body.messages.at(-1)!.content);
    expect(texts).toEqual(['only once please', 'a later message']);
  });

  it('stops a user who is not on the allowlist before the agent', async () => {
    const before = claude.requests.length;
    const outcome = await relay.send('let me in', { chatId: uniqueChatId(), userId: '666' });

    expect(outcome.outcome).toBe('denied');
    expect(outcome.reply).toContain('not allowed');
    expect(claude.requests.length).toBe(before);
    expect(await activitiesInHistory(relay.client, outcome.workflowId)).toEqual(['securityGate', 'deliverResponse']);
  });

  it('answers commands without Claude', async () => {
    const before = claude.requests.length;
    const outcome = await relay.send('/whoami', { chatId: uniqueChatId(), userId: '8' });
    expect(outcome).toMatchObject({ outcome: 'answered', route: 'command' });
    expect(outcome.reply).toMatch(/^user 8, chat \d+ \(cli\), role user, workspace general$/);
    expect(claude.requests.length).toBe(before);
  });

  it('retries a Claude 529 and answers exactly once', async () => {
    claude.script({ status: 529, retryAfter: 1 });
    const before = claude.requests.length;
    const outcome = await relay.send('are you overloaded?', { chatId: uniqueChatId() });

    expect(outcome).toMatchObject({ outcome: 'answered', reply: 'echo: are you overloaded?' });
    expect(claude.requests.length - before).toBe(2);
    const history = await relay.client.workflow.getHandle(outcome.workflowId).fetchHistory();
    const completed = history.events!.filter((e) => e.activityTaskCompletedEventAttributes);
    expect(completed).toHaveLength(5);
  });
});

describe('security gate limits', () => {
  let relay: Harness;
  beforeAll(async () => {
    relay = await startHarness({ RELAY_ALLOWED_USERS: '7', RELAY_ADMINS: '9', RELAY_RATE_LIMIT: '2/min', RELAY_MAX_INPUT_CHARS: '50' });
  });
  afterAll(async () => relay?.stop());

  it('rate-limits a user past the configured rate and says when to retry', async () => {
    const chatId = uniqueChatId();
    const outcomes = [];
    for (const text of ['/help', '/help', '/help']) outcomes.push(await relay.send(text, { chatId, userId: '7' }));

    expect(outcomes.map((o) => o.outcome)).toEqual(['answered', 'answered', 'rate_limited']);
    expect(outcomes[2]!.reply).toMatch(/too fast\. Try again in \d+ s/);
  });

  it('rejects an oversized message with its length and the limit', async () => {
    const outcome = await relay.send('x'.repeat(51), { chatId: uniqueChatId(), userId: '7' });
    expect(outcome.outcome).toBe('rejected');
    expect(outcome.reply).toContain('51 characters long; the limit is 50');
  });

  it('does not rate-limit admins', async () => {
    const chatId = uniqueChatId();
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await relay.send('/help', { chatId, userId: '9' }));
    expect(outcomes.every((o) => o.outcome === 'answered')).toBe(true);
  });

  it('replies that AI is not configured when there is no API key, while commands still work', async () => {
    const chatId = uniqueChatId();
    const answer = await relay.send('hello?', { chatId, userId: '9' });
    expect(answer).toMatchObject({ outcome: 'answered', route: 'text' });
    expect(answer.reply).toContain('AI is not configured');
    expect((await relay.send('/workspace', { chatId, userId: '9' })).reply).toBe('Workspace: general. Available: general.');
  });
});

describe('Claude timeouts', () => {
  let claude: ClaudeDouble;
  let relay: Harness;
  beforeAll(async () => {
    claude = await startClaudeDouble();
    relay = await startHarness({ ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: claude.url, RELAY_CLAUDE_TIMEOUT: '1' });
  });
  afterAll(async () => {
    await relay?.stop();
    await claude?.close();
  });

  it('abandons a Claude request that hangs past RELAY_CLAUDE_TIMEOUT and answers from the retry', async () => {
    claude.script({ hang: true });
    const outcome = await relay.send('are you there?', { chatId: uniqueChatId() });

    expect(outcome).toMatchObject({ outcome: 'answered', reply: 'echo: are you there?' });
    expect(claude.requests).toHaveLength(2);
    const history = await relay.client.workflow.getHandle(outcome.workflowId).fetchHistory();
    // The agent step's second attempt recorded why the first one failed.
    const retried = history.events!.find(
      (e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
    )?.activityTaskStartedEventAttributes;
    expect(retried?.attempt).toBe(2);
    expect(retried?.lastFailure?.applicationFailureInfo?.type).toBe('NetworkFailed');
  });
});
