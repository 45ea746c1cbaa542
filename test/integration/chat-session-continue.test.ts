/**
 * A chat session continues as new every 50 messages. Across that boundary a chat must notice nothing: every
 * message answered once, in arrival order, its count and recent ids carried over (so a redelivery of a message
 * answered by the previous run is still dropped), and each run's history stays small.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitOutcome } from '../../client/ingress';
import { chatSessionStatusQuery, chatSessionWorkflowId } from '../../contracts/temporal';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { startHarness, uniqueChatId, type Harness } from '../support/harness';

const MESSAGES = 60;
const BATCH = 10;

describe('chat session continue-as-new', () => {
  let claude: ClaudeDouble;
  let relay: Harness;

  beforeAll(async () => {
    claude = await startClaudeDouble();
    relay = await startHarness({ ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: claude.url, RELAY_RATE_LIMIT: 'off' });
  });
  afterAll(async () => {
    await relay?.stop();
    await claude?.close();
  });

  it(`answers ${MESSAGES} messages once each, in order, across the new run`, async () => {
    const chatId = uniqueChatId();
    const texts = Array.from({ length: MESSAGES }, (_, i) => `message ${i + 1}`);
    const first = relay.message(texts[0]!, { chatId });
    const outcomes = [];
    // In batches, as a busy chat sends them: several arrive while the session is continuing as new.
    for (let start = 0; start < MESSAGES; start += BATCH) {
      const ids = [];
      for (const text of texts.slice(start, start + BATCH))
        ids.push(await relay.submit(start === 0 && text === texts[0] ? first : relay.message(text, { chatId })));
      for (const id of ids) outcomes.push(await awaitOutcome(relay.client, id));
    }
    expect(outcomes.map((outcome) => outcome.reply)).toEqual(texts.map((text) => `echo: ${text}`));
    const asked = claude.requests.map((request) => request.body.messages.at(-1)!.content).filter((text) => texts.includes(text as string));
    expect(asked).toEqual(texts);

    // The first message delivered again, after the run that answered it has continued as new: dropped.
    await relay.submit(first);
    await relay.send('one more', { chatId });
    expect(claude.requests.filter((request) => request.body.messages.at(-1)!.content === texts[0])).toHaveLength(1);

    const session = relay.client.workflow.getHandle(chatSessionWorkflowId('cli', chatId));
    // The session counts a message once its child closed, a moment after the caller saw the answer.
    await expect.poll(() => session.query(chatSessionStatusQuery)).toMatchObject({ processed: MESSAGES + 1, queued: 0 });
    const runs = [];
    for await (const run of relay.client.workflow.list({ query: `WorkflowId = '${chatSessionWorkflowId('cli', chatId)}'` })) runs.push(run);
    expect(runs.map((run) => run.status.name).sort()).toEqual(['CONTINUED_AS_NEW', 'RUNNING']);
    for (const run of runs) expect(run.historyLength).toBeLessThan(700);
  }, 180_000);
});
