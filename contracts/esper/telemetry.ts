/**
 * TelemetryPacket: a subsystem's metrics, notable events and health, aggregated by Nissa (and by the relay's
 * telemetry workflows). Bounded lists, so one packet stays small.
 */
import { z } from 'zod';
import { esperIdSchema, esperSubsystemSchema, humanTextSchema, instantSchema, metricNameSchema } from './common';

/** A subsystem's self-reported health, best first. */
export const healthStatuses = ['HEALTHY', 'DEGRADED', 'UNHEALTHY', 'CRITICAL'] as const;
export type HealthStatus = (typeof healthStatuses)[number];

/** Severity of a notable event in a telemetry packet. */
export const telemetryEventSeverities = ['INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;

const labelsSchema = z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a snake_case label name'), z.string().max(256));

const metricSampleSchema = z.strictObject({
  name: metricNameSchema,
  value: z.number(),
  /** `ms`, `bytes`, `ratio`, … absent for plain counts. */
  unit: z.string().min(1).max(16).optional(),
  labels: labelsSchema.optional(),
});

const telemetryEventSchema = z.strictObject({
  name: metricNameSchema,
  severity: z.enum(telemetryEventSeverities),
  message: humanTextSchema,
  at: instantSchema,
  attributes: labelsSchema.optional(),
});

/** Current version 1. */
export const telemetryPacketSchema = z.strictObject({
  version: z.literal(1),
  source: esperSubsystemSchema,
  /** Absent for subsystems that serve several runs (Urza, Oona). */
  runId: esperIdSchema.optional(),
  capturedAt: instantSchema,
  health: z.enum(healthStatuses),
  metrics: z.array(metricSampleSchema).max(500),
  events: z.array(telemetryEventSchema).max(100),
});
export type TelemetryPacket = z.infer<typeof telemetryPacketSchema>;
