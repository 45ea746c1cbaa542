/**
 * ValidationRequest (the relay's blueprint pipeline → Urabrask): evaluate a compiled kernel. Urabrask answers with
 * a SafetySheet (the go/no-go) and, when `benchmark` is set, a BenchmarkReport. Neither answer carries this
 * request's id, only the kernel id; the relay finds its pipeline again through Urza's record of the kernel.
 */
import { z } from 'zod';
import { esperIdSchema, esperOriginSchema, instantSchema } from './common';
import { kernelReadySchema } from './kernels';
import { blueprintIdSchema } from './lifecycle';

/** Current version 1. */
export const validationRequestSchema = z.strictObject({
  version: z.literal(1),
  /** One validation job; a retried request reuses it, so Urabrask evaluates the kernel once. */
  requestId: esperIdSchema,
  kernelId: esperIdSchema,
  blueprintId: blueprintIdSchema,
  /** Where Urza stores the artifact, exactly as the KernelReady named it. */
  artifactRef: kernelReadySchema.shape.artifactRef,
  /** Urabrask refuses an artifact whose checksum differs (the kernel changed after compilation). */
  checksum: kernelReadySchema.shape.checksum,
  /** Also measure latency (benchmarks take minutes; the safety sheet comes first). */
  benchmark: z.boolean(),
  requestedBy: esperOriginSchema,
  requestedAt: instantSchema,
  /** Give up after this instant. */
  deadline: instantSchema,
});
export type ValidationRequest = z.infer<typeof validationRequestSchema>;
