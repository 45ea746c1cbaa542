/**
 * SystemStatePacket (Tolaria → Tamiyo): the training state at an epoch boundary. Version 2 is current; version 1
 * is still accepted and upcast, because Tolaria instances are upgraded one at a time.
 */
import { z } from 'zod';
import { esperIdSchema, instantSchema, unitIntervalSchema } from './common';
import { blueprintIdSchema, seedStageSchema } from './lifecycle';

const hardwareContextSchema = z.strictObject({
  device: z.string().min(1).max(64),
  /** Share of the accelerator busy during the epoch, 0..1. */
  utilization: unitIntervalSchema,
  memoryUsedGb: z.number().nonnegative(),
  memoryTotalGb: z.number().positive(),
});

const seedStateSchema = z.strictObject({
  seedId: esperIdSchema,
  stage: seedStageSchema,
  gradientNorm: z.number().nonnegative(),
  riskScore: unitIntervalSchema,
  /** The blueprint grown in this seed; absent while DORMANT. */
  blueprintId: blueprintIdSchema.optional(),
});

const runPositionShape = {
  runId: esperIdSchema,
  epoch: z.number().int().nonnegative(),
  globalStep: z.number().int().nonnegative(),
  capturedAt: instantSchema,
  hardware: hardwareContextSchema,
  seeds: z.array(seedStateSchema).max(1024),
};

/** Loss and accuracy measured on one data split; accuracy is null when that split was not measured. */
const splitMetricsSchema = z.strictObject({
  loss: z.number().nonnegative(),
  accuracy: unitIntervalSchema.nullable(),
});

/** Current version: training and validation metrics in separate, explicitly named blocks. */
export const systemStatePacketSchema = z.strictObject({
  version: z.literal(2),
  ...runPositionShape,
  training: splitMetricsSchema,
  validation: splitMetricsSchema.extend({ accuracy: unitIntervalSchema }),
});
export type SystemStatePacket = z.infer<typeof systemStatePacketSchema>;

/**
 * Version 1 reported metrics flat: `loss` was the training loss, `validationLoss` the validation loss, and the
 * unqualified `accuracy` the *validation* accuracy. That ambiguity (dashboards plotted it against the training
 * loss) is why version 2 names the split of every metric.
 */
export const systemStatePacketV1Schema = z.strictObject({
  version: z.literal(1),
  ...runPositionShape,
  loss: z.number().nonnegative(),
  validationLoss: z.number().nonnegative(),
  accuracy: unitIntervalSchema,
});
export type SystemStatePacketV1 = z.infer<typeof systemStatePacketV1Schema>;

/** Upcasts a version 1 packet: v1 never measured training accuracy, so it becomes null rather than a guess. */
export function upcastSystemStateV1(packet: SystemStatePacketV1): SystemStatePacket {
  const { runId, epoch, globalStep, capturedAt, hardware, seeds } = packet;
  return {
    version: 2,
    runId,
    epoch,
    globalStep,
    capturedAt,
    hardware,
    seeds,
    training: { loss: packet.loss, accuracy: null },
    validation: { loss: packet.validationLoss, accuracy: packet.accuracy },
  };
}
