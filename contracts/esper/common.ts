/**
 * Field schemas every Esper message family shares: identifiers, timestamps, bounded numbers and the names of
 * the subsystems. Schemas only (no Node built-ins), so workflows may import the message contracts.
 */
import { z } from 'zod';

/** The Esper subsystems (named after Magic: The Gathering characters); see ESPER.md. */
export const esperSubsystems = ['tolaria', 'kasmina', 'tamiyo', 'karn', 'tezzeret', 'urabrask', 'urza', 'oona', 'nissa'] as const;
export type EsperSubsystem = (typeof esperSubsystems)[number];

/** Who may send a message: an Esper subsystem, or the relay itself (operator commands, coordination workflows). */
export const esperOrigins = [...esperSubsystems, 'relay'] as const;
export type EsperOrigin = (typeof esperOrigins)[number];

/** Validators of the two lists above. */
export const esperSubsystemSchema = z.enum(esperSubsystems);
export const esperOriginSchema = z.enum(esperOrigins);

/**
 * Ids of runs, seeds, commands, jobs, kernels, messages: safe in Redis keys, Temporal workflow ids and logs
 * without escaping.
 */
export const esperIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'must be 1-128 of [A-Za-z0-9_.:-], starting alphanumeric');

/** A UTC ISO-8601 instant (`2025-01-01T12:00:00.000Z`), the only time format on the wire. */
export const instantSchema = z.iso.datetime();

/** A probability-like score: accuracies, utilisations, risk scores. */
export const unitIntervalSchema = z.number().min(0).max(1);

/** Free text meant for humans (reasons, notes); bounded so a message stays small. */
export const humanTextSchema = z.string().min(1).max(1000);

/** Metric names like `val_loss` or `tamiyo.inference_ms`. */
export const metricNameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_.:/-]{0,127}$/, 'must be a metric name like val_loss');

/** A finite number per metric name, e.g. the deltas a field report measured. */
export const metricMapSchema = z.record(metricNameSchema, z.number()).refine((map) => Object.keys(map).length <= 200, {
  message: 'at most 200 metrics',
});

/** A value in whole milliseconds (durations, latencies); fractional latencies use plain numbers instead. */
export const millisecondsSchema = z.number().int().nonnegative();
