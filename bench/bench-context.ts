/**
 * What every run of one `npm run bench` invocation shares: options, cleanup, the Claude double, the encryption
 * keys, fresh chat ids.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BenchCleanup } from './bench-cleanup';
import type { PipelineOptions } from './pipeline-options';
import type { ChatIds } from './pipeline-runs';

/** What every run of one invocation shares. */
export interface BenchContext {
  options: PipelineOptions;
  cleanup: BenchCleanup;
  root: string;
  claudeUrl: string;
  /** How many requests the Claude double has received so far. */
  claudeRequests: () => number;
  encryptionKeys: string;
  chats: ChatIds;
  warmup: number;
  /** Stops the benchmark: a worker failed underneath it. */
  fail: (error: Error) => void;
}

/** A fresh directory under the run's temporary root. */
export const subdir = (context: BenchContext, name: string) => {
  const dir = path.join(context.root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
};
