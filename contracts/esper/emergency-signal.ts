/**
 * EmergencySignal: any subsystem (or the relay) raising the alarm. Travels on `oona.emergency`, which every
 * consumer reads before anything else.
 */
import { z } from 'zod';
import { esperIdSchema, esperOriginSchema, humanTextSchema, instantSchema } from './common';

/**
 * Escalation levels, mildest first: NOTICE (inform), ELEVATED (watch closely), CONSERVATIVE (safe-tier
 * blueprints only, no new germinations, emergency-only publishing), HALT (stop training).
 */
export const emergencyLevels = ['NOTICE', 'ELEVATED', 'CONSERVATIVE', 'HALT'] as const;
export type EmergencyLevel = (typeof emergencyLevels)[number];
export const emergencyLevelSchema = z.enum(emergencyLevels);

/** Current version 1. */
export const emergencySignalSchema = z.strictObject({
  version: z.literal(1),
  level: emergencyLevelSchema,
  reason: humanTextSchema,
  /** The subsystem that raised the signal (the envelope's origin may be a relay forwarding it). */
  origin: esperOriginSchema,
  runId: esperIdSchema,
  raisedAt: instantSchema,
});
export type EmergencySignal = z.infer<typeof emergencySignalSchema>;
