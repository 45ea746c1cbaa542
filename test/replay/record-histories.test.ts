/**
 * Records real histories for the replay test. Runs only with RECORD_HISTORIES=1 (after a deliberate workflow
 * change, re-record and commit the files); otherwise skipped.
 */
import { saveHistory } from './save-history';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { chatSessionWorkflowId } from '../../contracts/temporal';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { startHarness, uniqueChatId, type Harness } from '../support/harness';

describe.runIf(process.env.RECORD_HISTORIES === '1')('record histories', () => {
  let claude: ClaudeDouble;
  let relay: Harness;
  beforeAll(async () => {
    claude = await startClaudeDouble();
    // Plaintext on purpose: the committed histories must replay anywhere, without this run's throwaway key.
    relay = await startHarness({
      ANTHROPIC_API_KEY: 'k',
      ANTHROPIC_BASE_URL: claude.url,
      RELAY_ALLOWED_USERS: '7',
      RELAY_ENCRYPTION: 'off',
    });
  });
  afterAll(async () => {
    await relay?.stop();
    await claude?.close();
  });

  const save = async (name: string, workflowId: string) => {
    const history = await relay.client.workflow.getHandle(workflowId).fetchHistory();
    saveHistory(name, history);
  };

  it('records an answered, a denied, a retried and a session history', async () => {
    const chatId = uniqueChatId();
    await save('message-answered', (await relay.send('hello', { chatId, userId: '7' })).workflowId);
    await save('message-command', (await relay.send('/whoami', { chatId, userId: '7' })).workflowId);
    await save('message-denied', (await relay.send('hello', { chatId, userId: '8' })).workflowId);
    claude.script({ status: 529, retryAfter: 1 });
    await save('message-claude-529-retried', (await relay.send('busy?', { chatId, userId: '7' })).workflowId);
    const session = relay.client.workflow.getHandle(chatSessionWorkflowId('cli', chatId));
    await session.terminate('recorded');
    await save('chat-session-four-messages', session.workflowId);
  });
});
