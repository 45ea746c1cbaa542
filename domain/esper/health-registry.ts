/**
 * The health registry: one breaker record per subsystem and the conservative mode they add up to (on while any
 * breaker is open or half-open). Pure and mutable in place, owned by the health workflow; time is passed in.
 */
import { esperSubsystems, type EsperSubsystem } from '../../contracts/esper/common';
import type { BreakerSettings, EsperHealthStatus, SubsystemRecord } from '../../contracts/esper/health';
import type { HealthStatus } from '../../contracts/esper/telemetry';
import { heard, newRecord, nextDueAt, observationOfHealth, observe, tick, type BreakerTransition } from './breaker';

/** Conservative mode turning on or off with a batch of transitions. */
export interface ModeChange {
  on: boolean;
  at: number;
}

export class HealthRegistry {
  private readonly records = new Map<EsperSubsystem, SubsystemRecord>();
  conservativeSince?: number;

  constructor(
    readonly settings: BreakerSettings,
    carried: { records: SubsystemRecord[]; conservativeSince?: number } = { records: [] },
  ) {
    for (const record of carried.records) this.records.set(record.subsystem, record);
    this.conservativeSince = carried.conservativeSince;
  }

  /** A subsystem's telemetry arrived at `now`. */
  report(subsystem: EsperSubsystem, health: HealthStatus, now: number): BreakerTransition[] {
    const caughtUp = this.tick(subsystem, now);
    const result = observe(heard(this.recordOf(subsystem), health, now, this.settings), observationOfHealth(health), now, this.settings);
    this.records.set(subsystem, result.record);
    return result.transition ? [...caughtUp, result.transition] : caughtUp;
  }

  /** The relay's own coordination saw `subsystem` fail. */
  fail(subsystem: EsperSubsystem, reason: string, now: number): BreakerTransition[] {
    const caughtUp = this.tick(subsystem, now);
    const result = observe(this.recordOf(subsystem), { kind: 'failure', reason }, now, this.settings);
    this.records.set(subsystem, result.record);
    return result.transition ? [...caughtUp, result.transition] : caughtUp;
  }

  /** Advances every breaker to `now` (half-open, missed heartbeats); transitions in time order. */
  advance(now: number): BreakerTransition[] {
    return [...this.records.keys()].flatMap((subsystem) => this.tick(subsystem, now)).sort((a, b) => a.at - b.at);
  }

  /** The next instant `advance` would change something at, if any. */
  nextDueAt(): number | undefined {
    const due = [...this.records.values()].map(nextDueAt).filter((t) => t !== undefined);
    return due.length ? Math.min(...due) : undefined;
  }

  /** Subsystems whose breaker is open or half-open, in `esperSubsystems` order. */
  get openBreakers(): EsperSubsystem[] {
    return this.ordered()
      .filter((record) => record.breaker !== 'closed')
      .map((record) => record.subsystem);
  }

  /**
   * Settles conservative mode after some transitions at `now`: returns the change when it turned on or off.
   * Call after every batch, so `conservativeSince` stays true to the breakers.
   */
  settleMode(now: number): ModeChange | undefined {
    const on = this.openBreakers.length > 0;
    if (on === (this.conservativeSince !== undefined)) return undefined;
    this.conservativeSince = on ? now : undefined;
    return { on, at: now };
  }

  /** What the query answers. */
  status(): EsperHealthStatus {
    const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
    return {
      conservativeMode: {
        on: this.conservativeSince !== undefined,
        ...(this.conservativeSince !== undefined ? { since: iso(this.conservativeSince) } : {}),
        openBreakers: this.openBreakers,
      },
      subsystems: this.ordered().map((r) => ({
        subsystem: r.subsystem,
        health: r.health,
        ...(r.lastSeenAt !== undefined ? { lastSeenAt: iso(r.lastSeenAt) } : {}),
        breaker: r.breaker,
        consecutiveFailures: r.consecutiveFailures,
        ...(r.openedAt !== undefined ? { openedAt: iso(r.openedAt) } : {}),
        ...(r.halfOpenAt !== undefined ? { halfOpenAt: iso(r.halfOpenAt) } : {}),
        ...(r.lastFailure ? { lastFailure: { at: iso(r.lastFailure.at)!, reason: r.lastFailure.reason } } : {}),
      })),
      settings: { ...this.settings },
    };
  }

  /** The state continue-as-new carries over. */
  snapshot(): { records: SubsystemRecord[]; conservativeSince?: number } {
    return { records: this.ordered(), ...(this.conservativeSince !== undefined ? { conservativeSince: this.conservativeSince } : {}) };
  }

  /** One subsystem's record (a fresh one if never seen). */
  recordOf(subsystem: EsperSubsystem): SubsystemRecord {
    return this.records.get(subsystem) ?? newRecord(subsystem);
  }

  private tick(subsystem: EsperSubsystem, now: number): BreakerTransition[] {
    const result = tick(this.recordOf(subsystem), now, this.settings);
    this.records.set(subsystem, result.record);
    return result.transitions;
  }

  private ordered(): SubsystemRecord[] {
    return esperSubsystems.filter((s) => this.records.has(s)).map((s) => this.records.get(s)!);
  }
}
