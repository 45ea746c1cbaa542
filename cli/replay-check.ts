/**
 * `relay replay-check`: replays recorded histories against the CURRENT workflow code, so a change that would break
 * running (or replayed) workflows is caught before a deploy. Histories come from files (`historyToJSON` format,
 * like test/histories/*.json) or from the server (every message and chat-session workflow started recently).
 *
 * This is the one inspection tool under client/ that needs the worker package: replay runs the workflow code in
 * a replay-only worker (no task queue, no activities). It imports the bundle entry from workers/ for that reason.
 */
import { readFile } from 'node:fs/promises';
import type { Client, HistoryAndWorkflowId } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import type { RelayConfig } from '../contracts/config';
import { createLogger, installTemporalLogging } from '../workers/logger';
import { FAILURE_CONVERTER_PATH, replayDataConverter } from '../workers/payload-encryption';
import { WORKFLOWS_PATH } from '../workers/worker';
import { connectClient } from '../workers/connect';
import { startProgress, type Progress } from '../client/inspect/progress';
import { CHAT_SESSION_WORKFLOW, MESSAGE_WORKFLOW, recentWorkflowsQuery } from '../client/inspect/visibility';
import { formatTable, processIo, writeJson, type CliIo } from './io';

export interface ReplayCheckOptions {
  /** Replay every message and chat-session workflow started within this many milliseconds (from the server)… */
  sinceMs?: number;
  /** …or these history files. */
  files?: string[];
  /** At most this many histories from the server. */
  limit: number;
  json?: boolean;
  /** The workflow code to check; default the relay's (`workflows/index.ts`). Tests pass a deliberately changed copy. */
  workflowsPath?: string;
}

export interface ReplayCheckResult {
  /** The file, or the workflow id for histories from the server. */
  source: string;
  runId?: string;
  status: 'ok' | 'non-determinism' | 'error';
  error?: string;
}

export interface ReplayCheckReport {
  ok: boolean;
  results: ReplayCheckResult[];
}

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** `relay replay-check`: replays the histories, prints one line per history (or `--json`), and returns the report. */
export async function runReplayCheck(config: RelayConfig, options: ReplayCheckOptions, io: CliIo = processIo): Promise<ReplayCheckReport> {
  const fromFiles = (options.files?.length ?? 0) > 0;
  if (fromFiles === (options.sinceMs !== undefined)) throw new Error('give --since DURATION or --file HISTORY.json ... (one of the two)');
  // Core logs must not reach stdout (they would corrupt --json): errors only, to stderr, unless debugging.
  const debugging = config.logLevel === 'debug' || config.logLevel === 'trace';
  installTemporalLogging(createLogger({ logLevel: debugging ? config.logLevel : 'error' }));

  const results: ReplayCheckResult[] = [];
  const unreadable: ReplayCheckResult[] = [];
  // Histories the relay wrote are encrypted; plaintext ones (older, or committed test histories) pass through.
  const dataConverter = replayDataConverter(config);
  const client = fromFiles ? undefined : await connectClient(config, undefined, dataConverter);
  const progress = startProgress(io.err, 'replaying histories');
  try {
    io.err.write(`bundling the workflow code (${options.workflowsPath ?? 'workflows/index.ts'})…\n`);
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: options.workflowsPath ?? WORKFLOWS_PATH,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: quiet,
    });
    const histories = client
      ? serverHistories(client, config.temporal.taskQueue, options.sinceMs!, options.limit, progress)
      : fileHistories(options.files!, unreadable, progress);
    for await (const replayed of Worker.runReplayHistories({ workflowBundle, dataConverter }, histories)) {
      const error = replayed.error;
      const status = !error ? 'ok' : error instanceof DeterminismViolationError ? 'non-determinism' : 'error';
      results.push({
        source: replayed.workflowId,
        runId: replayed.runId || undefined,
        status,
        error: error && conciseError(error.message),
      });
    }
  } finally {
    progress.done();
    await client?.connection.close();
  }
  const report = { ok: [...unreadable, ...results].every((result) => result.status === 'ok'), results: [...unreadable, ...results] };
  if (options.json) writeJson(io, report);
  else io.out.write(renderReplayCheck(report));
  return report;
}

/** The SDK wraps the core's verdict in a long debug dump; the verdict (`[TMPRL1100] Nondeterminism error: …`) is what matters. */
function conciseError(message: string): string {
  return /(\[TMPRL\d+\] )?Nondeterminism error: [^"]*/.exec(message)?.[0] ?? message;
}

/** Histories from files; a file that cannot be read or parsed becomes an `error` result instead. */
async function* fileHistories(files: string[], unreadable: ReplayCheckResult[], progress: Progress): AsyncGenerator<HistoryAndWorkflowId> {
  progress.setTotal(files.length);
  for (const file of files) {
    progress.tick(file);
    let history;
    try {
      history = historyFromJSON(JSON.parse(await readFile(file, 'utf8')));
    } catch (error) {
      unreadable.push({ source: file, status: 'error', error: `cannot read a history from ${file}: ${(error as Error).message}` });
      continue;
    }
    yield { workflowId: file, history };
  }
}

/** Histories of the relay's workflows started within `sinceMs`, newest first, fetched one at a time. */
async function* serverHistories(
  client: Client,
  taskQueue: string,
  sinceMs: number,
  limit: number,
  progress: Progress,
): AsyncGenerator<HistoryAndWorkflowId> {
  // This relay's workflows only: other applications may share the namespace.
  const query = recentWorkflowsQuery([MESSAGE_WORKFLOW, CHAT_SESSION_WORKFLOW], sinceMs, undefined, taskQueue);
  progress.setTotal(Math.min((await client.workflow.count(query)).count, limit));
  let fetched = 0;
  for await (const execution of client.workflow.list({ query, pageSize: 100 })) {
    if (fetched++ >= limit) break;
    progress.tick(execution.workflowId);
    yield {
      workflowId: execution.workflowId,
      history: await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory(),
    };
  }
}

/** One line per history and a verdict. */
export function renderReplayCheck(report: ReplayCheckReport): string {
  if (report.results.length === 0) return 'no histories to replay\n';
  const rows = report.results.map((result) => [result.source, result.runId ?? '', result.status, result.error?.split('\n')[0] ?? '']);
  const failed = report.results.filter((result) => result.status !== 'ok').length;
  const verdict =
    failed === 0 ? `all ${report.results.length} histories replay` : `${failed} of ${report.results.length} histories FAIL to replay`;
  return `${formatTable(['HISTORY', 'RUN', 'RESULT', 'ERROR'], rows)}${verdict} against the current workflow code\n`;
}
