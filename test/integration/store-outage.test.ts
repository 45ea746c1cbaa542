/**
 * The database goes away mid-conversation: the step that needs the store fails with the retryable `StoreFailed`
 * (visible on the pending activity), Temporal retries it, and once the database is back the message is answered
 * exactly once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { awaitOutcome } from '../../client/ingress';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { startHarness, uniqueChatId, type Harness } from '../support/harness';
import { createTestDatabase } from '../support/postgres';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let proxy: TcpProxy;
let claude: ClaudeDouble;
let relay: Harness;

beforeAll(async () => {
  database = await createTestDatabase();
  const url = new URL(database.url);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.port = String(proxy.port);
  claude = await startClaudeDouble();
  relay = await startHarness({
    RELAY_DATABASE_URL: url.toString(),
    ANTHROPIC_API_KEY: 'k',
    ANTHROPIC_BASE_URL: claude.url,
    RELAY_ALLOWED_USERS: '7',
  });
}, 120_000);

afterAll(async () => {
  proxy?.restore();
  await relay?.stop();
  await claude?.close();
  await proxy?.close();
  await database?.drop();
});

it('retries a step with StoreFailed while the database is unreachable and answers once it is back', async () => {
  const chatId = uniqueChatId();
  expect(await relay.send('before', { chatId })).toMatchObject({ outcome: 'answered', reply: 'echo: before' });

  proxy.cut();
  const workflowId = await relay.submit(relay.message('during the outage', { chatId }));
  const handle = relay.client.workflow.getHandle(workflowId);
  // The first step that touches the store fails, and keeps failing, with a failure type that says why.
  let seen: { activityType?: string; attempt?: number; failureType?: string } = {};
  for (let tries = 0; tries < 240 && !(seen.failureType === 'StoreFailed' && (seen.attempt ?? 0) >= 2); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const pending = (await handle.describe().catch(() => undefined))?.raw.pendingActivities?.[0];
    if (pending)
      seen = {
        activityType: pending.activityType?.name ?? undefined,
        attempt: pending.attempt ?? undefined,
        failureType: pending.lastFailure?.applicationFailureInfo?.type ?? undefined,
      };
  }
  expect(seen).toMatchObject({ activityType: 'securityGate', failureType: 'StoreFailed' });
  expect(seen.attempt).toBeGreaterThanOrEqual(2);

  proxy.restore();
  expect(await awaitOutcome(relay.client, workflowId, 120_000)).toMatchObject({ outcome: 'answered', reply: 'echo: during the outage' });
  // Answered once: the conversation holds each exchange exactly once.
  const turns = await relay.store.conversations.turns(`history:cli:${chatId}:general`);
  expect(turns.map((turn) => turn.text)).toEqual(['before', 'echo: before', 'during the outage', 'echo: during the outage']);
}, 180_000);
