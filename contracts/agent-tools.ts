/**
 * The tools Claude may call while answering: read-only views of Esper, each run as its own `runAgentTool`
 * activity. Destructive actions are never tools (a rollback stays a command with a confirmation button).
 * Definitions in the Messages API's shape plus zod validators of their input; safe for workflows.
 */
import { z } from 'zod';
import type { ToolCall } from './message';

/** Model turns that may ask for tools before the answer; the last one must answer in text. */
export const MAX_TOOL_ROUNDS = 4;
/** Tool calls run per round at most; more are answered as refused. */
export const MAX_TOOL_CALLS_PER_ROUND = 4;
/** A tool result is cut to this many characters (histories stay small). */
export const TOOL_RESULT_MAX_CHARS = 3000;

const runIdInput = z
  .object({
    runId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'must be a run id')
      .optional(),
  })
  .strict();
const noInput = z.object({}).strict();

const runIdProperty = {
  runId: { type: 'string', description: 'The training run id; omit it when exactly one run is running.' },
};

/** The tools as Claude sees them (name, description, JSON-schema input), with the validator of each input. */
export const agentTools = {
  esper_training_status: {
    description:
      "A training run's state: epoch, step, training and validation loss and accuracy, loss trend, epoch-boundary latency, seed counts by stage, active alerts, conservative mode.",
    properties: runIdProperty,
    input: runIdInput,
  },
  esper_seeds: {
    description: 'Every seed of a training run: lifecycle stage, the epoch it entered it, its blueprint, risk score and gradient norm.',
    properties: runIdProperty,
    input: runIdInput,
  },
  esper_health: {
    description: "Esper subsystems' health, last report, circuit breaker state, and whether coordination is in conservative mode and why.",
    properties: {},
    input: noInput,
  },
  esper_blueprints: {
    description: "Urza's blueprint catalogue, most recent first: id, tier (SAFE, EXPERIMENTAL, HIGH_RISK), lifecycle stage, reason.",
    properties: {},
    input: noInput,
  },
} as const;

export type AgentToolName = keyof typeof agentTools;

/** The `tools` parameter of a Messages API request. */
export function agentToolDefinitions() {
  return Object.entries(agentTools).map(([name, tool]) => ({
    name,
    description: tool.description,
    input_schema: { type: 'object' as const, properties: tool.properties, additionalProperties: false },
  }));
}

/** A tool's answer, as the next request's `tool_result` block carries it. */
export interface ToolResult {
  toolUseId: string;
  content: string;
  isError: boolean;
}

/** One round: what Claude said and asked for, and what the tools answered. */
export interface ToolRound {
  assistantText: string;
  calls: ToolCall[];
  results: ToolResult[];
}

/** The tool name, checked; undefined for a name we do not offer. */
export function agentToolNamed(name: string): AgentToolName | undefined {
  return Object.hasOwn(agentTools, name) ? (name as AgentToolName) : undefined;
}
