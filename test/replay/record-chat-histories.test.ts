/**
 * Records the Esper chat's histories for the replay test: a message whose answer needed a Claude tool (the
 * patched tool loop) and a /rollback confirmation that an admin confirmed (the press signal, the rollback
 * start). Runs only with RECORD_HISTORIES=1, like record-histories.test.ts; otherwise skipped.
 */
import { saveHistory } from './save-history';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollbackConfirmationWorkflowId, rollbackPressSignal } from '../../contracts/esper/rollback-confirmation';
import { lastToolResults, startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { uniqueChatId } from '../support/harness';
import { ADMIN, startEsperHarness, type EsperHarness } from '../support/esper-harness';

describe.runIf(process.env.RECORD_HISTORIES === '1')('record Esper chat histories', () => {
  let claude: ClaudeDouble;
  let relay: EsperHarness;
  // Plaintext on purpose: the committed histories must replay anywhere, without this run's throwaway key.
  beforeAll(async () => {
    claude = await startClaudeDouble();
    relay = await startEsperHarness({
      env: { RELAY_ENCRYPTION: 'off', RELAY_ALLOWED_USERS: '7', ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: claude.url },
      esperDeps: { rollbackConfirmationMs: 30_000 },
    });
  });
  afterAll(async () => {
    await relay?.stop();
    await claude?.close();
  });

  it('records a message answered with a tool, and a confirmed rollback', async () => {
    const chatId = uniqueChatId();
    claude.script({ toolUse: [{ name: 'esper_blueprints', input: {} }] });
    claude.setReply((body) => `From the tools: ${lastToolResults(body)[0]?.content ?? 'nothing'}`);
    const answered = await relay.send('how are the blueprints?', { chatId });
    expect(answered.reply).toMatch(/^From the tools: No blueprint/);
    saveHistory('message-claude-tool-use', await relay.client.workflow.getHandle(answered.workflowId).fetchHistory());

    const asked = await relay.send('/rollback fast run-recorded', { chatId, userId: ADMIN });
    const key = /^rbc:([a-z0-9]+):yes$/.exec(asked.buttons![0]![0]!.callbackData)![1]!;
    const confirmation = relay.client.workflow.getHandle(rollbackConfirmationWorkflowId(key));
    await confirmation.signal(rollbackPressSignal, { pressId: 'press-7', userId: '7', confirm: true });
    await confirmation.signal(rollbackPressSignal, { pressId: 'press-admin', userId: ADMIN, confirm: true });
    expect(await confirmation.result()).toMatchObject({ state: 'started' });
    saveHistory('rollback-confirmed', await confirmation.fetchHistory());
  });
});
