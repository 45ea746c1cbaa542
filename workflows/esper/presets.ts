/**
 * Timeout and retry presets of the blueprint pipeline's activities, and the one way it calls them (always with
 * a Web UI summary). The catalogue and the slots live in the state store and use the store preset.
 */
import { proxyActivities, type ActivityFunctionWithOptions, type ActivityOptions } from '@temporalio/workflow';
import type { RelayActivities } from '../../activities';
import { nonRetryableErrorTypes, storePreset } from '../presets';

/** Publishing on the bus: quick; retried while Oona is unreachable, given up after ten minutes. */
export const esperBusPreset: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', nonRetryableErrorTypes },
};

/** Waiting for a compile slot: a full queue (CapacityExhausted) is retried for up to half an hour. */
export const compileSlotPreset: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '30 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 1.5, maximumInterval: '30 seconds', nonRetryableErrorTypes },
};

/** Asking the health registry whether conservative mode is on: quick; a registry unreachable for a minute fails the run. */
export const gatePreset: ActivityOptions = { ...storePreset, scheduleToCloseTimeout: '1 minute' };

/** Catalogue writes: the store preset. */
export const cataloguePreset: ActivityOptions = storePreset;

/**
 * Compensations: retried like store writes, but bounded, so a broken store ends the unwinding with a recorded
 * failure instead of holding the run open forever.
 */
export const compensationPreset: ActivityOptions = { ...storePreset, scheduleToCloseTimeout: '1 hour' };

const activities = proxyActivities<RelayActivities>(storePreset);

/** Calls activity `name` with `options` and a Web UI summary. */
export function runStep<K extends keyof RelayActivities>(
  name: K,
  options: ActivityOptions,
  summary: string,
  ...args: Parameters<RelayActivities[K]>
): Promise<Awaited<ReturnType<RelayActivities[K]>>> {
  const activity = activities[name] as ActivityFunctionWithOptions<RelayActivities[K]>;
  return activity.executeWithOptions({ ...options, summary }, args) as Promise<Awaited<ReturnType<RelayActivities[K]>>>;
}
