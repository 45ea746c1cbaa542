/**
 * `runAgentTool`: runs one tool call Claude asked for, as its own activity (visible in the Web UI with the
 * tool's name and input). Input is validated with zod; a bad input, an unknown tool or a missing client is a
 * tool error Claude reads and can correct, not a failed activity.
 */
import { agentToolNamed, agentTools, TOOL_RESULT_MAX_CHARS, type ToolResult } from '../contracts/agent-tools';
import type { ToolCall } from '../contracts/message';
import type { ActivityDeps } from './deps';
import { listBlueprints } from './esper/commands';
import { createEsperViews } from './esper/status-commands';

export function createAgentTools(deps: ActivityDeps) {
  const views = createEsperViews(deps);

  async function run(call: ToolCall): Promise<string | { error: string }> {
    const name = agentToolNamed(call.name);
    if (!name) return { error: `there is no tool ${call.name}; the tools are ${Object.keys(agentTools).join(', ')}` };
    const parsed = agentTools[name].input.safeParse(call.input ?? {});
    if (!parsed.success)
      return { error: `bad input: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'} ${i.message}`).join('; ')}` };
    if (name === 'esper_blueprints') return listBlueprints(deps.store);
    const client = deps.temporal;
    if (!client) return { error: 'Esper is not reachable from this worker (it has no Temporal client)' };
    const runId = 'runId' in parsed.data ? parsed.data.runId : undefined;
    if (name === 'esper_training_status') return views.status(client, runId);
    if (name === 'esper_seeds') return views.seeds(client, runId);
    return views.health(client);
  }

  return {
    async runAgentTool(call: ToolCall): Promise<ToolResult> {
      const answer = await run(call);
      const text = typeof answer === 'string' ? answer : answer.error;
      const content = text.length > TOOL_RESULT_MAX_CHARS ? `${text.slice(0, TOOL_RESULT_MAX_CHARS - 1)}…` : text;
      return { toolUseId: call.id, content, isError: typeof answer !== 'string' };
    },
  };
}
