/**
 * One subsystem's circuit breaker as pure functions over its record: failures in a row open it, an open breaker
 * goes half-open after its open period, and the next observation decides (success closes, failure reopens).
 * A subsystem that was seen and then stays silent past the heartbeat timeout fails once per missed period.
 * Time is passed in (ms since the epoch), so workflows call these with their deterministic clock.
 */
import type { BreakerSettings, BreakerState, SubsystemRecord } from '../../contracts/esper/health';
import type { EsperSubsystem } from '../../contracts/esper/common';
import type { HealthStatus } from '../../contracts/esper/telemetry';

/** A breaker changing state, and why. */
export interface BreakerTransition {
  subsystem: EsperSubsystem;
  from: BreakerState;
  to: BreakerState;
  at: number;
  reason: string;
}

/** What one observation of a subsystem means for its breaker. DEGRADED is `neutral`: shown, never counted. */
export type Observation = { kind: 'success' } | { kind: 'failure'; reason: string } | { kind: 'neutral' };

/** A TelemetryPacket's health as an observation: UNHEALTHY/CRITICAL fail, HEALTHY succeeds, DEGRADED neither. */
export function observationOfHealth(health: HealthStatus): Observation {
  if (health === 'HEALTHY') return { kind: 'success' };
  if (health === 'DEGRADED') return { kind: 'neutral' };
  return { kind: 'failure', reason: `reported ${health}` };
}

/** A subsystem nobody has heard from: closed, health unknown. */
export function newRecord(subsystem: EsperSubsystem): SubsystemRecord {
  return { subsystem, health: 'UNKNOWN', breaker: 'closed', consecutiveFailures: 0 };
}

/** Applies one observation at `now`; returns the new record and the transition it caused, if any. */
export function observe(
  record: SubsystemRecord,
  observation: Observation,
  now: number,
  settings: BreakerSettings,
): { record: SubsystemRecord; transition?: BreakerTransition } {
  const next = { ...record };
  if (observation.kind === 'neutral') return { record: next };
  if (observation.kind === 'success') {
    // While open, the subsystem has its open period to recover: only the first report after it decides.
    if (next.breaker === 'open') return { record: next };
    next.consecutiveFailures = 0;
    if (next.breaker === 'closed') return { record: next };
    next.breaker = 'closed';
    return { record: next, transition: change(record, 'closed', now, 'a healthy report after the open period') };
  }
  next.consecutiveFailures += 1;
  next.lastFailure = { at: now, reason: observation.reason };
  const reopen = next.breaker === 'half-open';
  if (next.breaker === 'open' || (!reopen && next.consecutiveFailures < settings.failureThreshold)) return { record: next };
  next.breaker = 'open';
  next.openedAt = now;
  next.halfOpenAt = now + settings.openMs;
  const why = reopen
    ? `it failed again after the open period (${observation.reason})`
    : `${next.consecutiveFailures} failures in a row (last: ${observation.reason})`;
  return { record: next, transition: change(record, 'open', now, why) };
}

/**
 * Advances time to `now`: an open breaker past its open period goes half-open, and each heartbeat period missed
 * since the last report counts as one failure. Returns the new record and its transitions, oldest first.
 */
export function tick(
  record: SubsystemRecord,
  now: number,
  settings: BreakerSettings,
): { record: SubsystemRecord; transitions: BreakerTransition[] } {
  let current = { ...record };
  const transitions: BreakerTransition[] = [];
  // Events in time order: a half-open that came before a missed heartbeat lets that miss reopen the breaker.
  for (;;) {
    const halfOpenAt = current.breaker === 'open' ? current.halfOpenAt : undefined;
    const beatDueAt = current.heartbeatDueAt;
    const halfOpenFirst = halfOpenAt !== undefined && halfOpenAt <= now && (beatDueAt === undefined || halfOpenAt <= beatDueAt);
    if (halfOpenFirst) {
      transitions.push(change(current, 'half-open', halfOpenAt, `its ${settings.openMs / 1000} s open period ended`));
      current = { ...current, breaker: 'half-open' };
    } else if (beatDueAt !== undefined && beatDueAt <= now) {
      const silentMs = beatDueAt - (current.lastSeenAt ?? beatDueAt - settings.heartbeatTimeoutMs);
      const missed = observe(current, { kind: 'failure', reason: `silent for ${Math.round(silentMs / 1000)} s` }, beatDueAt, settings);
      current = { ...missed.record, heartbeatDueAt: beatDueAt + settings.heartbeatTimeoutMs };
      if (missed.transition) transitions.push(missed.transition);
    } else {
      return { record: current, transitions };
    }
  }
}

/** The next instant `tick` would change something at, if any. */
export function nextDueAt(record: SubsystemRecord): number | undefined {
  const due = [record.breaker === 'open' ? record.halfOpenAt : undefined, record.heartbeatDueAt].filter((t) => t !== undefined);
  return due.length ? Math.min(...due) : undefined;
}

/** Records that the subsystem was heard from at `now`: its heartbeat clock restarts. */
export function heard(record: SubsystemRecord, health: HealthStatus, now: number, settings: BreakerSettings): SubsystemRecord {
  return { ...record, health, lastSeenAt: now, heartbeatDueAt: now + settings.heartbeatTimeoutMs };
}

function change(record: SubsystemRecord, to: BreakerState, at: number, reason: string): BreakerTransition {
  return { subsystem: record.subsystem, from: record.breaker, to, at, reason };
}
