import { setCurrentDetails, type ActivityFunctionWithOptions, type ActivityOptions } from '@temporalio/workflow';
import type { ActivityFunction } from '@temporalio/common';
import type { StepRecord } from '../contracts/message';

/**
 * Runs pipeline steps as activities with a per-call UI summary, shows the current step in the Web UI's
 * "current details", and records each step's duration and a one-line result for the workflow's outcome.
 */
export class StepTrail {
  readonly steps: StepRecord[] = [];

  async run<F extends ActivityFunction>(
    step: StepRecord['step'],
    activity: ActivityFunctionWithOptions<F>,
    options: ActivityOptions & { summary: string },
    args: Parameters<F>,
    describe: (result: Awaited<ReturnType<F>>) => string,
  ): Promise<Awaited<ReturnType<F>>> {
    setCurrentDetails(`Running **${step}**: ${options.summary}`);
    // Workflow time is deterministic (the time of the workflow task), so these durations replay identically.
    const started = Date.now();
    const result = await activity.executeWithOptions(options, args);
    this.steps.push({ step, ms: Date.now() - started, detail: describe(result) });
    return result;
  }
}
