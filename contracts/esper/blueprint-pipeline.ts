/**
 * The blueprint pipeline's Temporal names and shapes (Karn → Tezzeret → Urabrask → Urza), shared by the workflow,
 * the bus ingress that signals it and whoever starts it. Definitions only: safe for workflows.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { BenchmarkReport, HazardBand, SafetySheet } from './evaluation';
import type { CompileStrategy, KernelError, KernelReady } from './kernels';
import type { BlueprintStage, BlueprintTier } from './lifecycle';

/** A caller's id for one pipeline run: unique per blueprint, short enough to fit workflow and job ids. */
export const pipelineRequestIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be 1-64 of [A-Za-z0-9_.:-], starting alphanumeric');

/**
 * Workflow id of one pipeline run. It is also the compile job id and the validation request id, so Tezzeret's
 * replies (which carry the job id) lead the ingress straight to the workflow to signal.
 */
export function blueprintPipelineWorkflowId(blueprintId: string, requestId: string): string {
  return `bp-${blueprintId}-${requestId}`;
}

/** The pipeline a compile job belongs to, or undefined for jobs someone else requested. */
export function pipelineWorkflowIdOfJob(jobId: string): string | undefined {
  return /^bp-BP\d{3}-[A-Za-z0-9]/.test(jobId) ? jobId : undefined;
}

/** Upper ends of ESPER.md's budgets, in ms: how long the pipeline waits before giving up on an answer. */
export const esperBudgetsMs = {
  compile: { FAST: 65_000, STANDARD: 250_000, EMERGENCY: 10_000 } satisfies Record<CompileStrategy, number>,
  safety: 30_000,
  benchmark: 15 * 60_000,
  /** A human decides HIGH_RISK blueprints; a day without an answer is a no. */
  approval: 24 * 60 * 60_000,
} as const;

export interface BlueprintPipelineInput {
  blueprintId: string;
  requestId: string;
  strategy?: CompileStrategy;
  /** Who asked (a user id, `operator`); shown in the Web UI and the report. */
  requestedBy: string;
  /** User ids allowed to approve a HIGH_RISK blueprint (RELAY_ADMINS, captured when the run starts). */
  approvers: readonly string[];
  /** Rejected when Urabrask's band is above this (default HIGH: CRITICAL is always rejected). */
  maxHazardBand?: HazardBand;
  /** Rejected when Urabrask's risk score is above this (default 0.8). */
  maxRiskScore?: number;
  /** Overrides of `esperBudgetsMs` (tests shorten them). */
  timeoutsMs?: Partial<{ compile: number; safety: number; benchmark: number; approval: number }>;
}

/** Why a run did not end VALIDATED. */
export const pipelineStopCodes = [
  'kernel_error',
  'compile_timeout',
  'safety_timeout',
  'no_go',
  'hazard_over_limit',
  'risk_over_limit',
  'approval_denied',
  'approval_timeout',
  'benchmark_timeout',
] as const;
export type PipelineStopCode = (typeof pipelineStopCodes)[number];

/** A compensation that ran while unwinding, in the order it ran. */
export interface CompensationRecord {
  name: string;
  ok: boolean;
  error?: string;
}

/** What a run decided. INVALID: it never compiled; REJECTED: it compiled but may not be used. */
export interface BlueprintPipelineReport {
  workflowId: string;
  blueprintId: string;
  tier: BlueprintTier;
  outcome: Extract<BlueprintStage, 'VALIDATED' | 'INVALID' | 'REJECTED'>;
  stop?: { code: PipelineStopCode; detail: string; retryable: boolean };
  kernel?: { kernelId: string; artifactRef: string; checksum: string };
  safety?: Pick<SafetySheet, 'riskScore' | 'hazardBand' | 'handlingClass' | 'decision'>;
  latencyMs?: BenchmarkReport['latencyMs'];
  approval?: ApprovalDecision;
  /** Empty when the run succeeded. */
  compensations: CompensationRecord[];
  /** Replies received more than once (bus redeliveries) and ignored. */
  duplicatesIgnored: number;
}

/** Where a run is; long waits show in the Web UI's current details too. */
export type PipelinePhase =
  'reserving_slot' | 'compiling' | 'validating' | 'awaiting_approval' | 'benchmarking' | 'cataloguing' | 'compensating' | 'done';

export interface BlueprintPipelineStatus {
  phase: PipelinePhase;
  blueprintId: string;
  tier: BlueprintTier;
  kernelId?: string;
  /** Message ids of the replies taken, in arrival order. */
  repliesTaken: string[];
  duplicatesIgnored: number;
}

/** An Esper reply as the ingress forwards it: the bus envelope's id (the dedupe key) and the message. */
export interface EsperReply<T> {
  messageId: string;
  message: T;
}

export const kernelReadySignal = defineSignal<[EsperReply<KernelReady>]>('kernelReady');
export const kernelErrorSignal = defineSignal<[EsperReply<KernelError>]>('kernelError');
export const safetySheetSignal = defineSignal<[EsperReply<SafetySheet>]>('safetySheet');
export const benchmarkReportSignal = defineSignal<[EsperReply<BenchmarkReport>]>('benchmarkReport');

export interface ApprovalRequest {
  /** The deciding user's id; must be one of the run's `approvers`. */
  approverId: string;
  approve: boolean;
  note?: string;
}

export interface ApprovalDecision {
  decision: 'APPROVED' | 'DENIED';
  decidedBy: string;
  note?: string;
}

/** A human's decision on a HIGH_RISK blueprint; refused (not recorded) unless an approver sends it while asked. */
export const approveBlueprintUpdate = defineUpdate<ApprovalDecision, [ApprovalRequest]>('approveBlueprint');

export const blueprintPipelineStatusQuery = defineQuery<BlueprintPipelineStatus>('blueprintPipelineStatus');
