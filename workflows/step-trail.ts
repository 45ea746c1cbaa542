import { setCurrentDetails, type ActivityFunctionWithOptions, type ActivityOptions } from '@temporalio/workflow';
import type { ActivityFunction } from '@temporalio/common';
import type { StepRecord } from '../contracts/message';

/**
 * Runs pipeline steps as activities with a per-call UI summary, shows the current step in the Web UI's
 * "current details", and records each step's duration and a one-line result for the workflow's outcome.
 */
export class StepTrail {
  readonly steps: StepRecord[] = [];

  run<F extends ActivityFunction>(
    step: StepRecord['step'],
    activity: ActivityFunctionWithOptions<F>,
    options: ActivityOptions & { summary: string },
    args: Parameters<F>,
    describe: (result: Awaited<ReturnType<F>>) => string,
  ): Promise<Awaited<ReturnType<F>>> {
    return this.record(step, options.summary, () => activity.executeWithOptions(options, args), describe);
  }

  /** Records a step whose work is more than one activity call (e.g. a call, a notice, and a second call). */
  async record<T>(step: StepRecord['step'], summary: string, work: () => Promise<T>, describe: (result: T) => string): Promise<T> {
    setCurrentDetails(`Running **${step}**: ${summary}`);
    // Workflow time is deterministic (the time of the workflow task), so these durations replay identically.
    const started = Date.now();
    const result = await work();
    this.steps.push({ step, ms: Date.now() - started, detail: describe(result) });
    return result;
  }
}
