import { Context } from '@temporalio/activity';

/**
 * Heartbeats while `work` runs, so a worker that dies mid-call is noticed within the preset's heartbeat timeout
 * (seconds) instead of the start-to-close timeout (minutes), and the call is retried on a live worker.
 */
export async function heartbeatWhile<T>(work: (signal: AbortSignal) => Promise<T>, everyMs = 1_000): Promise<T> {
  const context = Context.current();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), everyMs);
  try {
    return await work(context.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}
