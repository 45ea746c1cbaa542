/**
 * The Esper chat commands: `/blueprints` lists Urza's catalogue, `/compile` starts a blueprint pipeline run and
 * `/approve` answers a run's approval request, as the sender. The runs decide for themselves: the approval
 * Update's validator refuses non-admins and decisions nobody asked for, and its reason is shown as it is.
 */
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { approveBlueprint, startBlueprintPipeline } from '../../client/esper/blueprint-pipeline-client';
import { blueprintPipelineWorkflowId, pipelineRequestIdSchema, pipelineWorkflowIdOfJob } from '../../contracts/esper/blueprint-pipeline';
import { blueprintIdSchema, blueprintTier } from '../../contracts/esper/lifecycle';
import type { InboundMessage } from '../../contracts/message';
import type { CommandRequest } from '../commands';
import type { ActivityDeps } from '../deps';
import { conservativeModeRefusal } from './conservative-gate';
import { listBlueprintEntries, type BlueprintEntry } from './urza-catalogue';
import { heartbeatWhile } from '../heartbeat';
import type { StateStore } from '../../stores/state-store';

/** Lines `/blueprints` shows at most. */
export const BLUEPRINT_LIST_MAX = 20;
const REASON_MAX = 120;
const NOTE_MAX = 500;

const NO_CLIENT = 'Esper commands are not available on this worker (it has no Temporal client).';
const COMPILE_USAGE = "Usage: /compile BP_ID, for example /compile BP007 (Karn's catalogue is BP001–BP050).";
const APPROVE_USAGE = 'Usage: /approve RUN_ID [yes|no] [reason], for example /approve bp-BP045-… yes looks safe.';

/** Runs `/blueprints`, `/compile` and `/approve`; `createCommandRunner` dispatches them here. */
export function createEsperCommands({ config, store, temporal }: ActivityDeps) {
  const admins = config.security.admins;

  async function compile(client: Client, message: InboundMessage, args: string): Promise<string> {
    if (!args) return COMPILE_USAGE;
    const parsed = blueprintIdSchema.safeParse(args.toUpperCase());
    if (!parsed.success) return `"${args}" is not a blueprint id: it ${parsed.error.issues[0]!.message}. ${COMPILE_USAGE}`;
    const blueprintId = parsed.data;
    // Named after the message, so a retried activity finds the run it started instead of starting a second one.
    const requestId = requestIdOf(message);
    const workflowId = blueprintPipelineWorkflowId(blueprintId, requestId);
    const refusal = await conservativeModeRefusal(client, config.temporal.taskQueue, blueprintId);
    if (refusal) return refusal;
    try {
      await heartbeatWhile((signal) =>
        client.withAbortSignal(signal, () =>
          startBlueprintPipeline(client, config.temporal.taskQueue, {
            blueprintId,
            requestId,
            requestedBy: message.userId,
            approvers: admins,
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    const tier = blueprintTier(blueprintId);
    return [
      `Started ${workflowId}: ${blueprintId} (${tier}) is compiling.`,
      ...(tier === 'HIGH_RISK' ? [`It is HIGH_RISK, so an admin must decide it: /approve ${workflowId} yes|no [reason]`] : []),
      `Follow it with: relay trace ${workflowId} — /blueprints shows where it ended.`,
    ].join('\n');
  }

  async function approve(client: Client, message: InboundMessage, args: string): Promise<string> {
    const [runId, answer, ...rest] = args.split(/\s+/).filter(Boolean);
    if (!runId) return APPROVE_USAGE;
    const approveIt = answer === undefined ? true : decisionOf(answer);
    if (approveIt === undefined) return `Say yes or no, not "${answer}". ${APPROVE_USAGE}`;
    if (!pipelineWorkflowIdOfJob(runId))
      return `"${runId}" is not a blueprint pipeline run: run ids look like bp-BP045-…, as /compile answers.`;
    const note = rest.join(' ').slice(0, NOTE_MAX);
    try {
      const decision = await heartbeatWhile((signal) =>
        client.withAbortSignal(signal, () =>
          approveBlueprint(client, runId, { approverId: message.userId, approve: approveIt, ...(note ? { note } : {}) }),
        ),
      );
      return `${decision.decision === 'APPROVED' ? 'Approved' : 'Denied'} ${runId}${note ? ` (${note})` : ''}. Follow it with: relay trace ${runId}`;
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) return `${runId} refused: ${error.cause?.message ?? error.message}.`;
      if (error instanceof WorkflowNotFoundError) return `There is no run ${runId} waiting for a decision (it may have finished).`;
      throw error;
    }
  }

  return async function runEsperCommand({ message, role, command }: CommandRequest): Promise<string> {
    if (command.name === 'blueprints') return listBlueprints(store);
    if (role !== 'admin') return `Sorry, only admins can ${command.name === 'compile' ? 'compile blueprints' : 'approve blueprints'}.`;
    if (!temporal) return NO_CLIENT;
    return command.name === 'compile' ? compile(temporal, message, command.args) : approve(temporal, message, command.args);
  };
}

/** `/blueprints` (and the Claude tool): Urza's catalogue, most recent first, at most `BLUEPRINT_LIST_MAX` lines. */
export async function listBlueprints(store: StateStore): Promise<string> {
  const entries = await listBlueprintEntries(store);
  if (entries.length === 0) return 'No blueprint has been through the pipeline yet. An admin starts one with /compile BP007.';
  const more = entries.length - BLUEPRINT_LIST_MAX;
  return [
    "Urza's catalogue, most recent first:",
    ...entries.slice(0, BLUEPRINT_LIST_MAX).map(describeEntry),
    ...(more > 0 ? [`… and ${more} more.`] : []),
  ].join('\n');
}

function describeEntry(entry: BlueprintEntry): string {
  const reason = entry.reason && entry.reason.length > REASON_MAX ? `${entry.reason.slice(0, REASON_MAX - 1)}…` : entry.reason;
  return `${entry.blueprintId} ${entry.tier} ${entry.stage}${reason ? ` — ${reason}` : ''}`;
}

function decisionOf(answer: string): boolean | undefined {
  const word = answer.toLowerCase();
  if (['yes', 'y', 'approve'].includes(word)) return true;
  if (['no', 'n', 'deny'].includes(word)) return false;
  return undefined;
}

/** `<channel>-<chat>-<message>`, or a digest of it when that does not fit a request id. */
function requestIdOf(message: InboundMessage): string {
  const id = `${message.channel}-${message.chatId}-${message.messageId}`;
  return pipelineRequestIdSchema.safeParse(id).success ? id : `m${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
}
