/**
 * The simulator's Tezzeret: compiles a blueprint into a kernel after a while, or fails. Which blueprints fail,
 * how often compiles crash, and how long they take are options; the rest follows from the seed.
 */
import { createHash } from 'node:crypto';
import type { CompileRequest, CompileStrategy } from '../contracts/esper/kernels';
import type { EsperMessage } from '../contracts/esper/registry';
import { oonaStreams } from '../contracts/esper/transport';
import { jitter, randomHex, type Random } from './random';
import type { SimulatedAnswer, SimulatedSubsystem } from './subsystem';

export interface TezzeretOptions {
  /** Mean compile time in ms (±20 %); default by strategy, ESPER's minutes compressed into seconds. */
  compileMs?: number | ((request: CompileRequest) => number);
  /** These fail to compile, for good (INVALID_BLUEPRINT). */
  failingBlueprints?: readonly string[];
  /** Chance that any other compile crashes (COMPILE_FAILED, retryable), drawn from the seed. */
  failureProbability?: number;
  /** These are never answered, as if Tezzeret died holding the job. */
  silentBlueprints?: readonly string[];
}

const defaultCompileMs: Record<CompileStrategy, number> = { FAST: 2_000, STANDARD: 5_000, EMERGENCY: 500 };

/** Tezzeret, answering `compile-request`s with `kernel-ready` or `kernel-error`. */
export function createTezzeret(options: TezzeretOptions = {}): SimulatedSubsystem {
  const failing = new Set(options.failingBlueprints ?? []);
  const silent = new Set(options.silentBlueprints ?? []);
  const meanMs = (request: CompileRequest) =>
    typeof options.compileMs === 'function' ? options.compileMs(request) : (options.compileMs ?? defaultCompileMs[request.strategy]);

  return {
    name: 'tezzeret',
    handles: ['compile-request'],
    streams: [oonaStreams.kernelRequests],
    jobKey: (request) => `compile:${(request.message as CompileRequest).jobId}`,
    answer(request: EsperMessage, random: Random): SimulatedAnswer {
      const compile = request.message as CompileRequest;
      // Every draw happens whatever the branch, so one option never shifts another job's numbers.
      const delayMs = jitter(random, meanMs(compile));
      const crashes = random() < (options.failureProbability ?? 0);
      const kernelId = `k-${compile.blueprintId}-${randomHex(random, 8)}`;
      const budgetMs = Math.max(0, Date.parse(compile.deadline) - Date.parse(compile.requestedAt));
      if (silent.has(compile.blueprintId)) return { replies: [], note: `holds job ${compile.jobId} and never answers (silent)` };
      const error = (code: 'INVALID_BLUEPRINT' | 'COMPILE_FAILED' | 'TIMEOUT', message: string, retryable: boolean, afterMs: number) => ({
        replies: [
          {
            delayMs: afterMs,
            envelopeId: `tezzeret.${compile.jobId}.error`,
            build: (failedAt: string): EsperMessage => ({
              kind: 'kernel-error',
              message: { version: 1, jobId: compile.jobId, blueprintId: compile.blueprintId, code, message, retryable, failedAt },
            }),
          },
        ],
        note: `fails job ${compile.jobId} (${code}) after ${afterMs} ms`,
      });
      if (failing.has(compile.blueprintId)) {
        return error('INVALID_BLUEPRINT', `${compile.blueprintId} does not lower to a kernel (simulated)`, false, Math.ceil(delayMs / 4));
      }
      if (crashes) return error('COMPILE_FAILED', `the compiler crashed on ${compile.blueprintId} (simulated)`, true, delayMs);
      if (delayMs > budgetMs)
        return error('TIMEOUT', `${compile.strategy} compile exceeded its ${budgetMs} ms budget (simulated)`, true, budgetMs);
      return {
        replies: [
          {
            delayMs,
            envelopeId: `tezzeret.${compile.jobId}.ready`,
            build: (readyAt: string): EsperMessage => ({
              kind: 'kernel-ready',
              message: {
                version: 1,
                jobId: compile.jobId,
                blueprintId: compile.blueprintId,
                kernelId,
                artifactRef: `urza://kernels/${compile.blueprintId}/${kernelId}`,
                checksum: `sha256:${createHash('sha256').update(`${compile.jobId}/${kernelId}`).digest('hex')}`,
                compileMs: delayMs,
                readyAt,
              },
            }),
          },
        ],
        note: `compiles job ${compile.jobId} into ${kernelId} in ${delayMs} ms`,
      };
    },
  };
}
