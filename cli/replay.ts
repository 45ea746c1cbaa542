/**
 * `relay replay`: re-runs failed message workflows after a fix, never re-sending a reply the user already got.
 * A run whose delivery step completed is skipped; otherwise it is reset to just before its first unfinished step
 * (completed steps are kept), or restarted with the same input when there is no such step. Delivery itself is
 * idempotent per message (sent Telegram parts are recorded), so re-running an interrupted delivery sends only
 * what is missing.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { RelayConfig } from '../contracts/config';
import { connectClient } from '../workers/connect';
import { findFailedMessages } from '../client/inspect/failed-messages';
import { activitySteps } from '../client/inspect/history';
import { startProgress } from '../client/inspect/progress';
import { describePlan, planReplay } from '../client/inspect/replay-plan';
import { processIo, writeJson, type CliIo } from './io';
import { resetRun, restartRun, waitForRun } from './replay-runs';

export interface ReplayOptions {
  workflowIds: string[];
  /** Replay every failed message started within `sinceMs` (optionally of one chat) instead of `workflowIds`. */
  allFailed?: boolean;
  sinceMs: number;
  chat?: string;
  limit: number;
  /** Say what would be done, change nothing. */
  dryRun?: boolean;
  /** Wait this many seconds for each new run to close and report how it ended. */
  waitSeconds?: number;
  json?: boolean;
}

/** What happened to one workflow. */
export interface ReplayResult {
  workflowId: string;
  /** The run that was looked at (the latest). */
  runId?: string;
  action: 'reset' | 'restart' | 'skip' | 'error';
  /** `reset to event 14 (re-runs orchestrateAgent)`, `skipped: already delivered`, or the error. */
  detail: string;
  dryRun?: boolean;
  newRunId?: string;
  /** With `waitSeconds`: how the new run ended (`completed`, `failed`, `still running`). */
  finalStatus?: string;
}

export interface ReplayReport {
  /** False when any workflow could not be replayed (or, with waiting, did not complete). */
  ok: boolean;
  results: ReplayResult[];
}

/** `relay replay`: replays each workflow, prints one line per workflow (or `--json`), and returns the report. */
export async function runReplay(config: RelayConfig, options: ReplayOptions, io: CliIo = processIo): Promise<ReplayReport> {
  if (Boolean(options.allFailed) === options.workflowIds.length > 0)
    throw new Error('give WORKFLOW_ID... or --all-failed (one of the two)');
  const client = await connectClient(config);
  const progress = startProgress(io.err, options.dryRun ? 'planning replays' : 'replaying');
  const results: ReplayResult[] = [];
  try {
    const workflowIds = options.allFailed
      ? (await findFailedMessages(client, { sinceMs: options.sinceMs, chatId: options.chat, limit: options.limit })).map(
          (m) => m.workflowId,
        )
      : options.workflowIds;
    progress.setTotal(workflowIds.length);
    for (const workflowId of workflowIds) {
      progress.tick(workflowId);
      results.push(await replayOne(client, workflowId, options).catch((error: Error) => failure(workflowId, error.message)));
    }
  } finally {
    progress.done();
    await client.connection.close();
  }
  const ok = results.every((result) => result.action !== 'error' && (!result.finalStatus || result.finalStatus === 'completed'));
  const report = { ok, results };
  if (options.json) writeJson(io, report);
  else io.out.write(renderReplay(report, options.allFailed));
  return report;
}

async function replayOne(client: Client, workflowId: string, options: ReplayOptions): Promise<ReplayResult> {
  let described;
  try {
    described = await client.workflow.getHandle(workflowId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return failure(workflowId, `no workflow ${workflowId}`);
    throw error;
  }
  const { runId } = described;
  const events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
  const plan = planReplay(described.type, described.status.name, activitySteps(events));
  const result: ReplayResult = { workflowId, runId, action: plan.action, detail: describePlan(plan) };
  if (plan.action === 'skip') return result;
  if (options.dryRun) return { ...result, dryRun: true };

  const newRunId =
    plan.action === 'reset'
      ? await resetRun(client, workflowId, runId, events, plan.eventId)
      : await restartRun(client, workflowId, events);
  const finalStatus = options.waitSeconds ? await waitForRun(client, workflowId, newRunId, options.waitSeconds * 1000) : undefined;
  return { ...result, detail: plan.action === 'restart' ? 'restarted with the same input' : result.detail, newRunId, finalStatus };
}

function failure(workflowId: string, message: string): ReplayResult {
  return { workflowId, action: 'error', detail: message };
}

/** One line per workflow: `msg-cli-42-m1  reset to event 14 (re-runs orchestrateAgent), new run … → completed`. */
export function renderReplay(report: ReplayReport, allFailed?: boolean): string {
  if (report.results.length === 0) return allFailed ? 'no failed messages to replay\n' : '';
  const width = Math.max(...report.results.map((result) => result.workflowId.length));
  const lines = report.results.map((result) => {
    let line = result.action === 'error' ? `error: ${result.detail}` : result.dryRun ? `would ${result.detail}` : result.detail;
    if (result.newRunId) line += `, new run ${result.newRunId}`;
    if (result.finalStatus) line += ` → ${result.finalStatus}`;
    return `${result.workflowId.padEnd(width)}  ${line}`;
  });
  return `${lines.join('\n')}\n`;
}
