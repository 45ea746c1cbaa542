/**
 * What the health registry does about a batch of breaker changes: a CIRCUIT_BREAKER command on the bus for each
 * breaker that opened (OPEN) or closed (RESET), and one notice to the admins saying which subsystem, why, until
 * when, and whether conservative mode turned on or off. Neither may stop the registry: a failure is logged.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { RelayActivities } from '../../activities';
import type { BreakerTransition } from '../../domain/esper/breaker';
import type { HealthRegistry, ModeChange } from '../../domain/esper/health-registry';
import { noticePreset, onOutboundQueue } from '../presets';
import { esperBusPreset } from './presets';

const bus = proxyActivities<RelayActivities>(esperBusPreset);
const notices = proxyActivities<RelayActivities>(noticePreset);

/** Repeated open ↔ half-open cycles of a subsystem that stays down are told at most once an hour. */
const CYCLE_NOTICE_WINDOW_MS = 60 * 60_000;

/** Publishes OPEN for each breaker that opened from closed, RESET for each that closed. */
export async function publishBreakerCommands(transitions: readonly BreakerTransition[]): Promise<void> {
  for (const t of transitions) {
    const action = t.to === 'closed' ? 'RESET' : t.from === 'closed' && t.to === 'open' ? 'OPEN' : undefined;
    if (!action) continue; // half-open and reopen: the runs stay conservative, nothing to tell them
    const commandId = `breaker.${t.subsystem}.${action}.${t.at}`;
    await bus.publishCircuitBreakerCommand
      .executeWithOptions({ ...esperBusPreset, summary: `CIRCUIT_BREAKER ${action} ${t.subsystem}` }, [
        { commandId, subsystem: t.subsystem, action, issuedAt: new Date(t.at).toISOString() },
      ])
      .catch((error: Error) => log.error('a CIRCUIT_BREAKER command could not be published', { commandId, error: error.message }));
  }
}

/** Tells the admins about the batch; resolves with how many were told (0 on failure, logged). */
export async function notifyAdminsOfBreakers(
  workflowId: string,
  registry: HealthRegistry,
  transitions: readonly BreakerTransition[],
  mode: ModeChange | undefined,
): Promise<number> {
  const { text, dedupeKey, windowMs } = breakerNotice(workflowId, registry, transitions, mode);
  return notices.notifyAdmins
    .executeWithOptions(onOutboundQueue({ ...noticePreset, summary: `Tell the admins: ${text.split(':')[0]}` }), [
      { text, dedupeKey, ...(windowMs ? { windowMs } : {}) },
    ])
    .catch((error: Error) => {
      log.warn('the admins could not be told about a circuit breaker', { error: error.message });
      return 0;
    });
}

/** The notice's text and its dedupe key: unique per change, per subsystem and hour for open ↔ half-open cycles. */
export function breakerNotice(
  workflowId: string,
  registry: HealthRegistry,
  transitions: readonly BreakerTransition[],
  mode: ModeChange | undefined,
): { text: string; dedupeKey: string; windowMs?: number } {
  // One line per subsystem, its latest change: a half-open decided within the same batch is not worth a line.
  const latest = [...new Map(transitions.map((t) => [t.subsystem, t])).values()];
  const lines = latest.map((t) => describe(registry, t));
  const last = transitions[transitions.length - 1];
  const at = mode?.at ?? last?.at ?? 0;
  if (mode?.on) {
    return {
      text: `Esper conservative mode ON: ${lines.join('; ')}. Until every breaker closes: SAFE blueprints only, no new germinations.`,
      dedupeKey: `esper-health:${workflowId}:on:${at}`,
    };
  }
  if (mode) {
    return {
      text: `Esper conservative mode OFF: ${lines.join('; ')}. All blueprint tiers compile again; germinations may resume.`,
      dedupeKey: `esper-health:${workflowId}:off:${at}`,
    };
  }
  const open = registry.openBreakers;
  const state = open.length ? `conservative mode stays on (not closed: ${open.join(', ')})` : 'conservative mode is off';
  const cycling = transitions.every((t) => t.to === 'half-open' || t.from === 'half-open');
  return {
    text: `Esper circuit breakers: ${lines.join('; ')}; ${state}.`,
    dedupeKey: cycling
      ? `esper-health:${workflowId}:cycle:${[...new Set(transitions.map((t) => t.subsystem))].join(',')}`
      : `esper-health:${workflowId}:change:${at}`,
    ...(cycling ? { windowMs: CYCLE_NOTICE_WINDOW_MS } : {}),
  };
}

function describe(registry: HealthRegistry, t: BreakerTransition): string {
  const record = registry.recordOf(t.subsystem);
  if (t.to === 'open') {
    const until =
      record.halfOpenAt === undefined ? '' : `; half-open at ${new Date(record.halfOpenAt).toISOString()}, then the next report decides`;
    return `${t.subsystem}'s circuit breaker opened (${t.reason})${until}`;
  }
  if (t.to === 'half-open') return `${t.subsystem}'s circuit breaker is half-open (${t.reason}): the next report decides`;
  return `${t.subsystem}'s circuit breaker closed (${t.reason})`;
}
