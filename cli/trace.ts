/**
 * `relay trace WORKFLOW_ID`: the timeline of one workflow from its history — every step with its attempts,
 * duration, status and last failure — plus the workflow's status, times, search attributes and Web UI link.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { RelayConfig } from '../contracts/config';
import { connectClient } from '../workers/connect';
import { closeCause, formatFailure, summarizeFailure, type FailureSummary } from '../client/inspect/failure';
import { activitySteps, childSteps, closeEvent, type ActivityStep, type ChildStep } from '../client/inspect/history';
import { relaySearchAttributes, statusLabel } from '../client/inspect/visibility';
import { formatDuration, formatTable, processIo, writeJson, type CliIo } from './io';

export interface TraceOptions {
  workflowId: string;
  /** A specific run (e.g. the failed one before a replay); default the latest. */
  runId?: string;
  json?: boolean;
}

/** One step of the timeline, as printed and as `--json` emits it. */
export interface TraceStep {
  activity: string;
  status: ActivityStep['status'];
  attempts: number;
  scheduledAt?: string;
  closedAt?: string;
  durationMs?: number;
  lastFailure?: FailureSummary;
}

/** Everything `relay trace` reports about one run. */
export interface TraceReport {
  workflowId: string;
  runId: string;
  workflowType: string;
  status: string;
  taskQueue: string;
  startTime: string;
  closeTime?: string;
  historyLength: number;
  searchAttributes: Record<string, string>;
  /** Why the run did not complete (close event failure or terminate reason). */
  cause?: FailureSummary;
  /** The Web UI page of the workflow, when the relay runs the embedded dev server (TEMPORAL_ADDRESS unset). */
  webUi?: string;
  steps: TraceStep[];
  children: ChildStep[];
}

/** The embedded dev server's Web UI page of a workflow; unknown for an external server. */
export function webUiLink(config: RelayConfig, workflowId: string): string | undefined {
  if (config.temporal.address) return undefined;
  const namespace = encodeURIComponent(config.temporal.namespace);
  return `http://127.0.0.1:${config.temporal.uiPort}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Builds the trace of one run; throws `no workflow <id>` when it does not exist. */
export async function traceWorkflow(client: Client, config: RelayConfig, workflowId: string, runId?: string): Promise<TraceReport> {
  const handle = client.workflow.getHandle(workflowId, runId);
  let described;
  try {
    described = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new Error(`no workflow ${workflowId}${runId ? ` (run ${runId})` : ''}`);
    throw error;
  }
  const events = (await client.workflow.getHandle(workflowId, described.runId).fetchHistory()).events ?? [];
  // Steps still open (running or waiting for a retry) have their attempt and last failure only here.
  const pending = new Map((described.raw.pendingActivities ?? []).map((activity) => [activity.activityId, activity]));
  const steps = await Promise.all(
    activitySteps(events).map(async (step): Promise<TraceStep> => {
      const open = step.status === 'running' ? pending.get(step.activityId) : undefined;
      const lastFailure = open?.lastFailure ?? step.lastFailure;
      return {
        activity: step.activityType,
        status: step.status,
        attempts: open?.attempt ?? step.attempts,
        scheduledAt: step.scheduledAt?.toISOString(),
        closedAt: step.closedAt?.toISOString(),
        durationMs: step.durationMs,
        lastFailure: lastFailure ? await summarizeFailure(client, lastFailure) : undefined,
      };
    }),
  );
  return {
    workflowId,
    runId: described.runId,
    workflowType: described.type,
    status: statusLabel(described.status.name),
    taskQueue: described.taskQueue,
    startTime: described.startTime.toISOString(),
    closeTime: described.closeTime?.toISOString(),
    historyLength: described.historyLength,
    searchAttributes: relaySearchAttributes(described.typedSearchAttributes),
    cause: await closeCause(client, closeEvent(events)),
    webUi: webUiLink(config, workflowId),
    steps,
    children: childSteps(events),
  };
}

/** `relay trace`: prints the trace (or `--json`) and returns it. */
export async function runTrace(config: RelayConfig, options: TraceOptions, io: CliIo = processIo): Promise<TraceReport> {
  const client = await connectClient(config);
  try {
    const report = await traceWorkflow(client, config, options.workflowId, options.runId);
    if (options.json) writeJson(io, report);
    else io.out.write(renderTrace(report));
    return report;
  } finally {
    await client.connection.close();
  }
}

/** The human-readable trace. */
export function renderTrace(report: TraceReport): string {
  const lines = [
    `${report.workflowId}  ${report.workflowType}  ${report.status.toUpperCase()}`,
    `run        ${report.runId} (task queue ${report.taskQueue}, ${report.historyLength} events)`,
    `started    ${report.startTime}`,
  ];
  if (report.closeTime) {
    const took = Date.parse(report.closeTime) - Date.parse(report.startTime);
    lines.push(`closed     ${report.closeTime} (after ${formatDuration(took)})`);
  }
  const attributes = Object.entries(report.searchAttributes).map(([key, value]) => `${key}=${value}`);
  lines.push(`attributes ${attributes.join(' ') || '(none)'}`);
  if (report.cause) lines.push(`cause      ${formatFailure(report.cause)}`);
  if (report.webUi) lines.push(`Web UI     ${report.webUi}`);
  let text = `${lines.join('\n')}\n\n`;
  if (report.steps.length > 0) {
    const rows = report.steps.map((step) => [
      step.activity,
      step.status,
      String(step.attempts),
      formatDuration(step.durationMs),
      formatFailure(step.lastFailure),
    ]);
    text += formatTable(['STEP', 'STATUS', 'ATTEMPTS', 'DURATION', 'LAST FAILURE'], rows);
  } else if (report.children.length === 0) {
    text += 'no steps yet\n';
  }
  if (report.children.length > 0) {
    text += formatTable(
      ['CHILD WORKFLOW', 'STATUS'],
      report.children.map((child) => [child.workflowId, child.status]),
    );
  }
  return text;
}
