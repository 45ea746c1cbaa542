/**
 * The agent step with tools: when Claude asks for tools, each call runs as its own `runAgentTool` activity and
 * the results go back to `orchestrateAgent`, for at most `MAX_TOOL_ROUNDS` rounds; the last round must answer.
 * An answer without tools schedules exactly what the plain agent step did (the patch marks the new path only
 * where Claude asked for a tool).
 */
import { ActivityFailure } from '@temporalio/common';
import { patched, proxyActivities } from '@temporalio/workflow';
import type { RelayActivities } from '../activities';
import type { OrchestrateInput } from '../activities/orchestrate-agent';
import { MAX_TOOL_CALLS_PER_ROUND, MAX_TOOL_ROUNDS, type ToolResult, type ToolRound } from '../contracts/agent-tools';
import type { AgentReply, ToolCall } from '../contracts/message';
import { askAgent } from './agent-step';
import { storePreset } from './presets';

/** Marks histories whose agent step ran tools. */
export const CLAUDE_TOOLS_PATCH = 'claude-tools';

const { runAgentTool } = proxyActivities<RelayActivities>(storePreset);
/** Tools read workflows through Temporal: quick, retried briefly; a tool that keeps failing becomes a tool error. */
const toolPreset = { ...storePreset, startToCloseTimeout: '30 seconds', scheduleToCloseTimeout: '1 minute' };

export async function askAgentWithTools(input: OrchestrateInput, summary: string): Promise<AgentReply> {
  let reply = await askAgent(input, summary);
  const rounds: ToolRound[] = [];
  while (reply.toolCalls?.length && rounds.length < MAX_TOOL_ROUNDS && patched(CLAUDE_TOOLS_PATCH)) {
    const calls = reply.toolCalls;
    const results = await Promise.all(calls.map((call, index) => (index < MAX_TOOL_CALLS_PER_ROUND ? runTool(call) : refused(call))));
    rounds.push({ assistantText: reply.text, calls, results });
    const lastRound = rounds.length >= MAX_TOOL_ROUNDS;
    reply = await askAgent(
      { ...input, toolRounds: rounds, ...(lastRound ? { lastRound } : {}) },
      `${summary}, with the results of ${rounds.length} tool round(s)`,
    );
  }
  return reply;
}

async function runTool(call: ToolCall): Promise<ToolResult> {
  const input = JSON.stringify(call.input ?? {});
  const summary = `Tool ${call.name} ${input.length > 80 ? `${input.slice(0, 79)}…` : input}`;
  try {
    return await runAgentTool.executeWithOptions({ ...toolPreset, summary }, [call]);
  } catch (error) {
    const cause = error instanceof ActivityFailure ? (error.cause?.message ?? error.message) : String(error);
    return { toolUseId: call.id, content: `the tool failed: ${cause}`, isError: true };
  }
}

function refused(call: ToolCall): Promise<ToolResult> {
  return Promise.resolve({
    toolUseId: call.id,
    content: `not run: at most ${MAX_TOOL_CALLS_PER_ROUND} tool calls per turn`,
    isError: true,
  });
}
