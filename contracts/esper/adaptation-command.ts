/**
 * AdaptationCommand (Tamiyo, or an operator through the relay → Kasmina / Tolaria). `commandId` is the
 * idempotency key end to end: a redelivered command maps to the same id and must be executed once. The payload
 * is typed per command type, so a ROLLBACK without a level never reaches a subsystem.
 */
import { z } from 'zod';
import { esperIdSchema, esperOriginSchema, esperSubsystemSchema, humanTextSchema, instantSchema } from './common';
import { emergencyLevelSchema } from './emergency-signal';
import { blueprintIdSchema, seedStageSchema } from './lifecycle';

/** What a command acts on: a seed, the training state (rollback, optimizer, pause), a breaker, or the whole run. */
export const adaptationCommandTypes = ['SEED', 'ROLLBACK', 'OPTIMIZER', 'CIRCUIT_BREAKER', 'PAUSE', 'EMERGENCY'] as const;
export type AdaptationCommandType = (typeof adaptationCommandTypes)[number];

/** Rollback levels, fastest first: freeze ~100 ms, fast ~500 ms, full ~2 s (up to 12 s recovery), tune ~5 s. */
export const rollbackLevels = ['FREEZE', 'FAST', 'FULL', 'TUNE'] as const;
export type RollbackLevel = (typeof rollbackLevels)[number];

const seedPayloadSchema = z
  .strictObject({
    action: z.enum(['GERMINATE', 'ADVANCE', 'CULL']),
    /** Required to GERMINATE: what to grow. */
    blueprintId: blueprintIdSchema.optional(),
    /** Required to ADVANCE: the stage the seed reported readiness for. */
    targetStage: seedStageSchema.optional(),
  })
  .refine((p) => p.action !== 'GERMINATE' || p.blueprintId !== undefined, {
    path: ['blueprintId'],
    message: 'GERMINATE needs a blueprintId',
  })
  .refine((p) => p.action !== 'ADVANCE' || p.targetStage !== undefined, { path: ['targetStage'], message: 'ADVANCE needs a targetStage' });

const rollbackPayloadSchema = z.strictObject({
  level: z.enum(rollbackLevels),
  /** The checkpoint to restore; absent = the newest one the level can reach. */
  checkpointId: esperIdSchema.optional(),
  reason: humanTextSchema,
});

const optimizerPayloadSchema = z
  .strictObject({
    learningRate: z.number().positive().optional(),
    weightDecay: z.number().nonnegative().optional(),
    momentum: z.number().min(0).max(1).optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'an OPTIMIZER command must change at least one setting' });

const circuitBreakerPayloadSchema = z.strictObject({
  subsystem: esperSubsystemSchema,
  /** OPEN forces the breaker open (that subsystem goes conservative); RESET closes it again. */
  action: z.enum(['OPEN', 'RESET']),
});

const pausePayloadSchema = z.strictObject({ action: z.enum(['PAUSE', 'RESUME']) });

const emergencyPayloadSchema = z.strictObject({ level: emergencyLevelSchema, reason: humanTextSchema });

const commonShape = {
  version: z.literal(1),
  commandId: esperIdSchema,
  runId: esperIdSchema,
  /** The seed the command acts on; required for SEED commands. */
  targetSeedId: esperIdSchema.optional(),
  issuedAt: instantSchema,
  issuedBy: esperOriginSchema,
  /** After this instant the command must not be executed: it is answered with an ABORTED field report. */
  executionDeadline: instantSchema,
};

/** Current version 1. */
export const adaptationCommandSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ ...commonShape, type: z.literal('SEED'), targetSeedId: esperIdSchema, payload: seedPayloadSchema }),
    z.strictObject({ ...commonShape, type: z.literal('ROLLBACK'), payload: rollbackPayloadSchema }),
    z.strictObject({ ...commonShape, type: z.literal('OPTIMIZER'), payload: optimizerPayloadSchema }),
    z.strictObject({ ...commonShape, type: z.literal('CIRCUIT_BREAKER'), payload: circuitBreakerPayloadSchema }),
    z.strictObject({ ...commonShape, type: z.literal('PAUSE'), payload: pausePayloadSchema }),
    z.strictObject({ ...commonShape, type: z.literal('EMERGENCY'), payload: emergencyPayloadSchema }),
  ])
  .refine((command) => Date.parse(command.executionDeadline) > Date.parse(command.issuedAt), {
    path: ['executionDeadline'],
    message: 'must be after issuedAt',
  });
export type AdaptationCommand = z.infer<typeof adaptationCommandSchema>;
