/**
 * FieldReport: what came of an adaptation command, measured after it ran. Tamiyo learns from these; the relay
 * closes the command's workflow with one.
 */
import { z } from 'zod';
import { esperIdSchema, esperOriginSchema, humanTextSchema, instantSchema, metricMapSchema } from './common';
import { blueprintIdSchema } from './lifecycle';

/** SUCCESS improved the run, NEUTRAL changed nothing measurable, REGRESSION hurt it, ABORTED never took effect. */
export const fieldReportOutcomes = ['SUCCESS', 'NEUTRAL', 'REGRESSION', 'ABORTED'] as const;
export type FieldReportOutcome = (typeof fieldReportOutcomes)[number];

/** Current version 1. */
export const fieldReportSchema = z.strictObject({
  version: z.literal(1),
  reportId: esperIdSchema,
  /** The command this report answers (its idempotency key). */
  commandId: esperIdSchema,
  runId: esperIdSchema,
  seedId: esperIdSchema.optional(),
  blueprintId: blueprintIdSchema.optional(),
  outcome: z.enum(fieldReportOutcomes),
  /** Epochs observed after the command before judging it. */
  observationEpochs: z.number().int().nonnegative(),
  /** Change of each metric over the observation window (after − before), e.g. `{ "val_loss": -0.041 }`. */
  metricDeltas: metricMapSchema,
  reportedBy: esperOriginSchema,
  reportedAt: instantSchema,
  notes: humanTextSchema.optional(),
});
export type FieldReport = z.infer<typeof fieldReportSchema>;
