/**
 * The Esper replies a pipeline run waits for, as the bus ingress signals them. Every reply is taken at most once:
 * a message id seen before (the bus redelivered an entry whose acknowledgement was lost after Temporal had
 * accepted the signal) is counted and ignored, and so is an answer nobody asked for (a second answer to the same
 * question, or a sheet about another kernel): the first answer wins.
 */
import { log, setHandler } from '@temporalio/workflow';
import {
  benchmarkReportSignal,
  kernelErrorSignal,
  kernelReadySignal,
  safetySheetSignal,
  type EsperReply,
} from '../../contracts/esper/blueprint-pipeline';
import type { BenchmarkReport, SafetySheet } from '../../contracts/esper/evaluation';
import type { KernelError, KernelReady } from '../../contracts/esper/kernels';

/** Tezzeret's answer to the compile request. */
export type CompileAnswer = { kind: 'ready'; message: KernelReady } | { kind: 'error'; message: KernelError };

export class ReplyInbox {
  compile?: CompileAnswer;
  safety?: SafetySheet;
  benchmark?: BenchmarkReport;
  /** Message ids taken, in arrival order. */
  readonly taken: string[] = [];
  duplicatesIgnored = 0;
  private readonly seen = new Set<string>();
  private kernelId?: string;

  /** Registers the signal handlers; call once, at the start of the run. */
  constructor(jobId: string) {
    const compileWanted = (message: { jobId: string }) => this.compile === undefined && message.jobId === jobId;
    setHandler(kernelReadySignal, (reply) =>
      this.take(reply, compileWanted(reply.message), () => (this.compile = { kind: 'ready', message: reply.message })),
    );
    setHandler(kernelErrorSignal, (reply) =>
      this.take(reply, compileWanted(reply.message), () => (this.compile = { kind: 'error', message: reply.message })),
    );
    setHandler(safetySheetSignal, (reply) =>
      this.take(reply, this.safety === undefined && this.aboutOurKernel(reply.message), () => (this.safety = reply.message)),
    );
    setHandler(benchmarkReportSignal, (reply) =>
      this.take(reply, this.benchmark === undefined && this.aboutOurKernel(reply.message), () => (this.benchmark = reply.message)),
    );
  }

  /** From now on, validation answers about `kernelId` are the ones wanted. */
  expectKernel(kernelId: string): void {
    this.kernelId = kernelId;
  }

  private aboutOurKernel(message: { kernelId: string }): boolean {
    return this.kernelId !== undefined && message.kernelId === this.kernelId;
  }

  private take<T>(reply: EsperReply<T>, wanted: boolean, keep: () => void): void {
    if (this.seen.has(reply.messageId)) {
      this.duplicatesIgnored += 1;
      log.info('ignored a duplicate Esper reply', { messageId: reply.messageId });
      return;
    }
    this.seen.add(reply.messageId);
    if (!wanted) {
      log.info('ignored an Esper reply nobody waits for', { messageId: reply.messageId });
      return;
    }
    keep();
    this.taken.push(reply.messageId);
  }
}
