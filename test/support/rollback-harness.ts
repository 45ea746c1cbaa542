/**
 * Emergency rollback assembled for one test file: the Esper harness (real worker, in-process bus, seeded
 * simulator, both ingresses) plus the Telegram double the admin notices go to, and an observer on the bus that
 * records every rollback command, field report and emergency signal in the order the bus took them.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { vi } from 'vitest';
import type { EmergencySignal } from '../../contracts/esper/emergency-signal';
import { emergencyTriggerId, rollbackWorkflowId } from '../../contracts/esper/rollback';
import { oonaStreams } from '../../contracts/esper/transport';
import type { emergencyRollbackWorkflow } from '../../workflows';
import { startTelegramDouble, type TelegramDouble } from '../../doubles/telegram-double';
import { startEsperHarness, type EsperHarness } from './esper-harness';

export type RollbackHandle = WorkflowHandle<typeof emergencyRollbackWorkflow>;

/** One message seen on the bus: `command tamiyo FAST`, `report kasmina SUCCESS`, `signal relay HALT`. */
export interface BusSighting {
  line: string;
  /** The command id the message is about (commands, reports), or the run id (signals). */
  about: string;
}

export interface RollbackHarness {
  relay: EsperHarness;
  telegram: TelegramDouble;
  /** Everything the observer saw, in bus order. */
  seen: BusSighting[];
  /** Publishes an EmergencySignal as `signal.origin` would, under `envelopeId`; returns the rollback's workflow id. */
  raise(signal: Omit<EmergencySignal, 'version'>, envelopeId: string): Promise<string>;
  /** The handle of a rollback, once Temporal has it. */
  rollback(workflowId: string): Promise<RollbackHandle>;
  /** The sightings about one rollback (its commands and their reports), as lines. */
  linesOf(workflowId: string): string[];
  stop(): Promise<void>;
}

export async function startRollbackHarness(options: Parameters<typeof startEsperHarness>[0] = {}): Promise<RollbackHarness> {
  const telegram = await startTelegramDouble();
  const relay = await startEsperHarness({
    ...options,
    env: { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url, ...options.env },
  });
  const seen: BusSighting[] = [];
  const observer = new AbortController();
  const observing = relay.esper.transport.consume({
    streams: [oonaStreams.emergency, oonaStreams.normal],
    group: 'test-observer',
    consumer: 'observer-1',
    signal: observer.signal,
    handler: async (delivery) => {
      if (delivery.kind === 'adaptation-command' && delivery.message.type === 'ROLLBACK') {
        const { commandId, payload } = delivery.message;
        seen.push({ line: `command ${commandId.split('.').pop()} ${payload.level}`, about: commandId });
      } else if (delivery.kind === 'field-report') {
        seen.push({ line: `report ${delivery.message.reportedBy} ${delivery.message.outcome}`, about: delivery.message.commandId });
      } else if (delivery.kind === 'emergency-signal') {
        seen.push({ line: `signal ${delivery.message.origin} ${delivery.message.level}`, about: delivery.message.runId });
      }
    },
  });

  return {
    relay,
    telegram,
    seen,
    raise: async (signal, envelopeId) => {
      await relay.publishAs(signal.origin, 'emergency-signal', { version: 1, ...signal }, envelopeId);
      return rollbackWorkflowId(signal.runId, emergencyTriggerId(signal));
    },
    rollback: (workflowId) =>
      vi.waitFor(
        async () => {
          const handle: RollbackHandle = relay.client.workflow.getHandle(workflowId);
          await handle.describe();
          return handle;
        },
        { timeout: 10_000, interval: 20 },
      ),
    linesOf: (workflowId) => seen.filter((s) => s.about.startsWith(`${workflowId}.`)).map((s) => s.line),
    stop: async () => {
      observer.abort();
      await observing;
      await relay.stop();
      await telegram.close();
    },
  };
}
