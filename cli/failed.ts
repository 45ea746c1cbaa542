/**
 * `relay failed`: message workflows that failed, timed out, were terminated or canceled, with the cause of each,
 * found through a visibility query (the same filter works in the Web UI).
 */
import type { RelayConfig } from '../contracts/config';
import { connectClient } from '../workers/connect';
import { formatFailure } from '../client/inspect/failure';
import { findFailedMessages, type FailedMessage } from '../client/inspect/failed-messages';
import { startProgress } from '../client/inspect/progress';
import { failedMessagesQuery } from '../client/inspect/visibility';
import { formatTable, processIo, writeJson, type CliIo } from './io';

export interface FailedOptions {
  /** Only messages started within this many milliseconds before now (`--since 24h`). */
  sinceMs: number;
  chat?: string;
  limit: number;
  json?: boolean;
}

/** `relay failed`: prints the failed messages (or `--json`: an array) and returns them. */
export async function runFailed(config: RelayConfig, options: FailedOptions, io: CliIo = processIo): Promise<FailedMessage[]> {
  const filter = { sinceMs: options.sinceMs, chatId: options.chat };
  const query = failedMessagesQuery(filter);
  const client = await connectClient(config);
  const progress = startProgress(io.err, 'reading failed workflows');
  let failed: FailedMessage[];
  try {
    failed = await findFailedMessages(client, { ...filter, limit: options.limit, progress });
  } finally {
    progress.done();
    await client.connection.close();
  }
  if (options.json) writeJson(io, failed);
  else io.out.write(renderFailed(failed, query, options.limit));
  return failed;
}

/** The table of failed messages, or a line saying there are none (with the query, to paste into the Web UI). */
export function renderFailed(failed: FailedMessage[], query: string, limit: number): string {
  if (failed.length === 0) return `no failed messages (query: ${query})\n`;
  const rows = failed.map((message) => [
    message.workflowId,
    message.status,
    message.closeTime ?? '',
    message.chatId ?? '',
    message.userId ?? '',
    formatFailure(message.cause),
  ]);
  const table = formatTable(['WORKFLOW ID', 'STATUS', 'CLOSED', 'CHAT', 'USER', 'CAUSE'], rows);
  const more = failed.length >= limit ? `(showing the first ${limit}; raise --limit for more)\n` : '';
  return `${table}${more}replay them after a fix: relay replay WORKFLOW_ID... (or --all-failed)\n`;
}
