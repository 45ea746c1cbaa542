/**
 * The relay on the production-shaped Temporal: the real `temporal-server` with PostgreSQL persistence and SQL
 * visibility (fresh databases for this file), a real worker, and the real Anthropic SDK against the Claude double.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchAttributes } from '../../contracts/temporal';
import { LOCAL_POSTGRES } from '../../workers/local-postgres';
import type { TemporalCluster } from '../../workers/temporal-cluster';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { startTestCluster } from '../support/temporal-cluster';
import { activitiesInHistory, startHarness, uniqueChatId, type Harness } from '../support/harness';

const PIPELINE = ['securityGate', 'buildContext', 'routeMessage', 'orchestrateAgent', 'deliverResponse'];

/** Runs `query` against the machine's PostgreSQL, in `database`. */
async function queryPostgres(database: string, query: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ ...LOCAL_POSTGRES, database });
  await client.connect();
  try {
    return await client.query(query, values);
  } finally {
    await client.end();
  }
}

describe('the relay on the real Temporal server (PostgreSQL, SQL visibility)', () => {
  let cluster: TemporalCluster;
  let claude: ClaudeDouble;
  let relay: Harness;
  let relayStopped: Promise<void> | undefined;
  const stopRelay = () => (relayStopped ??= relay?.stop());

  beforeAll(async () => {
    cluster = await startTestCluster();
    claude = await startClaudeDouble({});
    relay = await startHarness({
      TEMPORAL_ADDRESS: cluster.address,
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: claude.url,
      RELAY_ALLOWED_USERS: '7',
    });
  }, 300_000);
  afterAll(async () => {
    await stopRelay();
    await claude?.close();
    await cluster?.stop();
  }, 120_000);

  it('answers a message through all five steps and finds it by a visibility query on RelayChatId', async () => {
    const chatId = uniqueChatId();
    const outcome = await relay.send('hello cluster', { chatId, userId: '7' });

    expect(outcome).toMatchObject({ outcome: 'answered', route: 'text', reply: 'echo: hello cluster' });
    expect(outcome.steps.map((step) => step.step)).toEqual(PIPELINE);
    expect(await activitiesInHistory(relay.client, outcome.workflowId)).toEqual(PIPELINE);

    // SQL visibility is written after the fact: poll (bounded) until the closed run shows up with its outcome.
    const query = `${searchAttributes.chatId.name} = "${chatId}" AND WorkflowType = "messageWorkflow" AND ExecutionStatus = "Completed"`;
    const found: WorkflowExecutionInfo[] = [];
    for (const deadline = Date.now() + 60_000; found.length === 0 && Date.now() < deadline;) {
      for await (const execution of relay.client.workflow.list({ query })) found.push(execution);
      if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(found.map((execution) => execution.workflowId)).toEqual([outcome.workflowId]);
    expect(found[0]!.typedSearchAttributes.get(searchAttributes.outcome)).toBe('answered');

    // The run really lives in this cluster's PostgreSQL databases.
    const stored = await queryPostgres(
      cluster.databases.visibility,
      'SELECT workflow_id FROM executions_visibility WHERE workflow_id = $1',
      [outcome.workflowId],
    );
    expect(stored.rowCount).toBe(1);
  });

  it('drops its databases when stopped', async () => {
    await stopRelay();
    await cluster.stop();
    const left = await queryPostgres('postgres', 'SELECT datname FROM pg_database WHERE datname = ANY($1)', [
      [cluster.databases.default, cluster.databases.visibility],
    ]);
    expect(left.rows).toEqual([]);
  }, 60_000);
});
