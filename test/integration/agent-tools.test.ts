/**
 * The Claude tool loop on a real dev server, through the real Anthropic SDK against the Claude double: tool
 * errors go back to Claude as `is_error` results it can read, and a model that keeps asking for tools is made
 * to answer after the last round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TOOL_ROUNDS } from '../../contracts/agent-tools';
import { lastToolResults, startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { activitiesInHistory, startHarness, uniqueChatId, type Harness } from '../support/harness';

describe('Claude tools', () => {
  let claude: ClaudeDouble;
  let relay: Harness;
  const chatId = uniqueChatId();

  beforeAll(async () => {
    claude = await startClaudeDouble();
    relay = await startHarness({ ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: claude.url, RELAY_ALLOWED_USERS: '7' });
    claude.setReply((body) => `results: ${JSON.stringify(lastToolResults(body))}`);
  });
  afterAll(async () => {
    await relay?.stop();
    await claude?.close();
  });

  it('answers a bad input or an unknown tool with an error result Claude reads', async () => {
    claude.script({
      toolUse: [
        { name: 'esper_seeds', input: { runId: 'no spaces allowed' }, id: 'toolu_a' },
        { name: 'esper_rollback', input: {}, id: 'toolu_b' },
      ],
    });
    const outcome = await relay.send('roll it back', { chatId });

    const results = JSON.parse(outcome.reply.slice('results: '.length)) as Array<{
      tool_use_id: string;
      content: string;
      is_error?: boolean;
    }>;
    expect(results).toEqual([
      { tool_use_id: 'toolu_a', content: 'bad input: runId must be a run id', is_error: true },
      {
        tool_use_id: 'toolu_b',
        content: expect.stringMatching(/^there is no tool esper_rollback; the tools are esper_training_status, /),
        is_error: true,
      },
    ]);
    expect(await activitiesInHistory(relay.client, outcome.workflowId)).toEqual([
      'securityGate',
      'buildContext',
      'routeMessage',
      'orchestrateAgent',
      'runAgentTool',
      'runAgentTool',
      'orchestrateAgent',
      'deliverResponse',
    ]);
  });

  it(`makes Claude answer after ${MAX_TOOL_ROUNDS} rounds of tools`, async () => {
    for (let round = 0; round < MAX_TOOL_ROUNDS; round++) claude.script({ toolUse: [{ name: 'esper_blueprints', input: {} }] });
    const before = claude.requests.length;
    const outcome = await relay.send('keep looking', { chatId });

    expect(outcome.reply).toMatch(/^results: \[\{"tool_use_id":"toolu_double_\d+_0","content":"No blueprint has been/);
    const requests = claude.requests.slice(before);
    expect(requests).toHaveLength(MAX_TOOL_ROUNDS + 1);
    expect(requests.map((request) => request.body.tool_choice)).toEqual([...Array(MAX_TOOL_ROUNDS).fill(undefined), { type: 'none' }]);
    const tools = (await activitiesInHistory(relay.client, outcome.workflowId)).filter((name) => name === 'runAgentTool');
    expect(tools).toHaveLength(MAX_TOOL_ROUNDS);
    // Only answers join the conversation: the next message sees two turns per earlier message, no tool rounds.
    claude.setReply((body) => `turns: ${body.messages.map((message) => message.role).join(' ')}`);
    expect((await relay.send('and now?', { chatId })).reply).toBe('turns: user assistant user assistant user');
  });
});
