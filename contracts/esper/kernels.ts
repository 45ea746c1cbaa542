/**
 * Compile messages between the relay's compile pipeline and Tezzeret: a compile request, and its answer —
 * a kernel ready in Urza's library, or a kernel error.
 */
import { z } from 'zod';
import { esperIdSchema, esperOriginSchema, humanTextSchema, instantSchema, millisecondsSchema } from './common';
import { blueprintIdSchema, blueprintTierSchema } from './lifecycle';

/** Compile budgets: FAST 20–65 s, STANDARD 75–250 s, EMERGENCY (CPU) 4–10 s. */
export const compileStrategies = ['FAST', 'STANDARD', 'EMERGENCY'] as const;
export type CompileStrategy = (typeof compileStrategies)[number];

/** Current version 1. */
export const compileRequestSchema = z.strictObject({
  version: z.literal(1),
  /** One compile job; a retried request reuses it, so Tezzeret compiles it once. */
  jobId: esperIdSchema,
  blueprintId: blueprintIdSchema,
  tier: blueprintTierSchema,
  strategy: z.enum(compileStrategies),
  requestedBy: esperOriginSchema,
  requestedAt: instantSchema,
  /** Give up (and report a KernelError) after this instant. */
  deadline: instantSchema,
});
export type CompileRequest = z.infer<typeof compileRequestSchema>;

/** Current version 1. */
export const kernelReadySchema = z.strictObject({
  version: z.literal(1),
  jobId: esperIdSchema,
  blueprintId: blueprintIdSchema,
  kernelId: esperIdSchema,
  /** Where Urza stores the compiled artifact, e.g. `urza://kernels/BP007/k-…`. */
  artifactRef: z.string().regex(/^[a-z][a-z0-9+.-]*:\/\/\S{1,500}$/, 'must be a URI like urza://kernels/…'),
  /** Lower-case hex SHA-256 of the artifact, checked before a kernel is attached. */
  checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 lower-case hex digits>'),
  compileMs: millisecondsSchema,
  readyAt: instantSchema,
});
export type KernelReady = z.infer<typeof kernelReadySchema>;

/** Why a compile failed; only INVALID_BLUEPRINT is final by nature (see `retryable`). */
export const kernelErrorCodes = ['COMPILE_FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'INVALID_BLUEPRINT', 'COMPILER_CRASHED'] as const;

/** Current version 1. */
export const kernelErrorSchema = z.strictObject({
  version: z.literal(1),
  jobId: esperIdSchema,
  blueprintId: blueprintIdSchema,
  code: z.enum(kernelErrorCodes),
  message: humanTextSchema,
  /** False when compiling again cannot help (INVALID_BLUEPRINT): the blueprint becomes INVALID. */
  retryable: z.boolean(),
  failedAt: instantSchema,
});
export type KernelError = z.infer<typeof kernelErrorSchema>;
