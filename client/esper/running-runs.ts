/**
 * Finding and reading training runs for the chat: which `trainingRunWorkflow`s run on this relay's task queue
 * (Temporal visibility), and one run's status (its query).
 */
import type { Client } from '@temporalio/client';
import { trainingRunStatusQuery, trainingRunWorkflowId, type TrainingRunStatus } from '../../contracts/esper/training-run';

/** The workflow type of a training run's entity. */
export const TRAINING_RUN_WORKFLOW = 'trainingRunWorkflow';

/** Runs listed at most (a chat message, not a report). */
export const RUNNING_RUNS_MAX = 20;

/** The visibility query of the running training runs on `taskQueue`. */
export function runningTrainingRunsQuery(taskQueue: string): string {
  return `WorkflowType = '${TRAINING_RUN_WORKFLOW}' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`;
}

/** The ids of the training runs running on `taskQueue`, at most `RUNNING_RUNS_MAX`, sorted. */
export async function listRunningTrainingRuns(client: Client, taskQueue: string): Promise<string[]> {
  const prefix = trainingRunWorkflowId('');
  const runIds: string[] = [];
  for await (const execution of client.workflow.list({ query: runningTrainingRunsQuery(taskQueue), pageSize: RUNNING_RUNS_MAX })) {
    if (execution.workflowId.startsWith(prefix)) runIds.push(execution.workflowId.slice(prefix.length));
    if (runIds.length >= RUNNING_RUNS_MAX) break;
  }
  return runIds.sort();
}

/** The status of run `runId` (also of a finished one, while Temporal keeps its history). */
export function queryTrainingRun(client: Client, runId: string): Promise<TrainingRunStatus> {
  return client.workflow.getHandle(trainingRunWorkflowId(runId)).query(trainingRunStatusQuery);
}

/** Which run a command is about: the one named, or the only one running; otherwise why it cannot tell. */
export async function pickTrainingRun(
  client: Client,
  taskQueue: string,
  named: string | undefined,
): Promise<{ runId: string } | { problem: string }> {
  if (named) return { runId: named };
  const running = await listRunningTrainingRuns(client, taskQueue);
  if (running.length === 1) return { runId: running[0]! };
  if (running.length === 0) return { problem: 'No training run is running right now.' };
  return { problem: `${running.length} training runs are running; name one: ${running.join(', ')}.` };
}
