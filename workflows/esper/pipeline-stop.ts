/**
 * How a run stops short of VALIDATED: a typed stop thrown as an ApplicationFailure of one type, caught by the
 * workflow, which unwinds and returns a report. Business outcomes (a rejected blueprint) end the run completed;
 * only cancellations and infrastructure failures end it cancelled or failed.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { BlueprintPipelineReport, PipelineStopCode } from '../../contracts/esper/blueprint-pipeline';
import { hazardBands, type HazardBand, type SafetySheet } from '../../contracts/esper/evaluation';

const PIPELINE_STOPPED = 'BlueprintPipelineStopped';

/** Why a run stopped, and which terminal stage that gives the blueprint. */
export interface PipelineStop {
  code: PipelineStopCode;
  detail: string;
  /** Whether running the pipeline again may succeed (a timeout, a crashed compiler). */
  retryable: boolean;
  outcome: Exclude<BlueprintPipelineReport['outcome'], 'VALIDATED'>;
}

/** Stops that mean the blueprint never compiled; every other stop rejects a compiled kernel. */
const compileStops: readonly PipelineStopCode[] = ['kernel_error', 'compile_timeout'];

/** Ends the run with `code`: throws, to be caught by the workflow's unwinding. */
export function stopRun(code: PipelineStopCode, detail: string, retryable = false): never {
  const stop: PipelineStop = { code, detail, retryable, outcome: compileStops.includes(code) ? 'INVALID' : 'REJECTED' };
  throw ApplicationFailure.create({ type: PIPELINE_STOPPED, message: detail, nonRetryable: true, details: [stop] });
}

/** The stop `error` carries, or undefined for any other error (cancellation, a failed activity). */
export function stopOf(error: unknown): PipelineStop | undefined {
  if (!(error instanceof ApplicationFailure) || error.type !== PIPELINE_STOPPED) return undefined;
  return error.details?.[0] as PipelineStop;
}

/** The limits a safety sheet is judged against. */
export interface SafetyLimits {
  maxHazardBand: HazardBand;
  maxRiskScore: number;
}

/** Stops the run unless Urabrask said GO and the sheet is within `limits`. */
export function judgeSafetySheet(sheet: SafetySheet, limits: SafetyLimits): void {
  const failed = sheet.checks.filter((check) => !check.passed).map((check) => check.name);
  const evidence = `risk ${sheet.riskScore.toFixed(2)}, hazard ${sheet.hazardBand}${failed.length ? `, failed checks: ${failed.join(', ')}` : ''}`;
  if (sheet.decision === 'NO_GO') stopRun('no_go', `Urabrask said NO_GO for kernel ${sheet.kernelId} (${evidence})`);
  if (hazardBands.indexOf(sheet.hazardBand) > hazardBands.indexOf(limits.maxHazardBand)) {
    stopRun('hazard_over_limit', `hazard band ${sheet.hazardBand} is above the limit ${limits.maxHazardBand} (${evidence})`);
  }
  if (sheet.riskScore > limits.maxRiskScore) {
    stopRun('risk_over_limit', `risk score ${sheet.riskScore.toFixed(2)} is above the limit ${limits.maxRiskScore} (${evidence})`);
  }
}
