/**
 * Urabrask's verdicts on a compiled kernel: the safety sheet (the go/no-go authority) and the benchmark report.
 */
import { z } from 'zod';
import { esperIdSchema, instantSchema, unitIntervalSchema } from './common';
import { blueprintIdSchema } from './lifecycle';

/** Urabrask's banding of the risk score, mildest first. */
export const hazardBands = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type HazardBand = (typeof hazardBands)[number];

/** How a kernel may be used: freely, only with approval, or not at all until reviewed. */
export const handlingClasses = ['STANDARD', 'RESTRICTED', 'QUARANTINE'] as const;
export type HandlingClass = (typeof handlingClasses)[number];

/** Current version 1. */
export const safetySheetSchema = z.strictObject({
  version: z.literal(1),
  kernelId: esperIdSchema,
  blueprintId: blueprintIdSchema,
  riskScore: unitIntervalSchema,
  hazardBand: z.enum(hazardBands),
  handlingClass: z.enum(handlingClasses),
  /** Urabrask's go/no-go: only GO kernels may become VALIDATED. */
  decision: z.enum(['GO', 'NO_GO']),
  checks: z.array(z.strictObject({ name: z.string().min(1).max(64), passed: z.boolean() })).max(100),
  evaluatedAt: instantSchema,
});
export type SafetySheet = z.infer<typeof safetySheetSchema>;

/** Current version 1. */
export const benchmarkReportSchema = z
  .strictObject({
    version: z.literal(1),
    kernelId: esperIdSchema,
    blueprintId: blueprintIdSchema,
    device: z.string().min(1).max(64),
    batchSize: z.number().int().positive(),
    /** Latency of one forward pass, in milliseconds (fractions allowed: budgets are ~10 ms). */
    latencyMs: z.strictObject({ p50: z.number().nonnegative(), p95: z.number().nonnegative() }),
    throughputPerSecond: z.number().nonnegative(),
    peakMemoryMb: z.number().nonnegative(),
    measuredAt: instantSchema,
  })
  .refine((report) => report.latencyMs.p95 >= report.latencyMs.p50, { path: ['latencyMs', 'p95'], message: 'must be at least p50' });
export type BenchmarkReport = z.infer<typeof benchmarkReportSchema>;
