/**
 * The breakers of the health registry without Temporal: what opens them, what closes them, heartbeats, and the
 * conservative mode they add up to.
 */
import { describe, expect, it } from 'vitest';
import type { BreakerSettings } from '../../../contracts/esper/health';
import { HealthRegistry } from '../../../domain/esper/health-registry';

const settings: BreakerSettings = { failureThreshold: 3, openMs: 30_000, heartbeatTimeoutMs: 10_000 };
/** Heartbeats that never run out within these tests. */
const patient: BreakerSettings = { ...settings, heartbeatTimeoutMs: 600_000 };
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => T0 + seconds * 1000;
const moves = (transitions: { subsystem: string; from: string; to: string }[]) =>
  transitions.map((t) => `${t.subsystem} ${t.from}→${t.to}`);

describe('circuit breaker', () => {
  it('opens on the third UNHEALTHY/CRITICAL report in a row, and conservative mode goes on', () => {
    const registry = new HealthRegistry(settings);
    expect(registry.report('tezzeret', 'UNHEALTHY', at(0))).toEqual([]);
    expect(registry.report('tezzeret', 'CRITICAL', at(1))).toEqual([]);
    expect(registry.settleMode(at(1))).toBeUndefined();
    const opened = registry.report('tezzeret', 'UNHEALTHY', at(2));
    expect(opened).toEqual([
      { subsystem: 'tezzeret', from: 'closed', to: 'open', at: at(2), reason: '3 failures in a row (last: reported UNHEALTHY)' },
    ]);
    expect(registry.settleMode(at(2))).toEqual({ on: true, at: at(2) });
    expect(registry.status().conservativeMode).toEqual({ on: true, since: '2026-01-01T00:00:02.000Z', openBreakers: ['tezzeret'] });
    expect(registry.status().subsystems[0]).toMatchObject({
      subsystem: 'tezzeret',
      health: 'UNHEALTHY',
      breaker: 'open',
      consecutiveFailures: 3,
      halfOpenAt: '2026-01-01T00:00:32.000Z',
    });
  });

  it('resets the count on a HEALTHY report; DEGRADED neither counts nor resets', () => {
    const registry = new HealthRegistry(settings);
    registry.report('urabrask', 'UNHEALTHY', at(0));
    registry.report('urabrask', 'UNHEALTHY', at(1));
    registry.report('urabrask', 'HEALTHY', at(2));
    registry.report('urabrask', 'UNHEALTHY', at(3));
    registry.report('urabrask', 'DEGRADED', at(4));
    expect(registry.report('urabrask', 'UNHEALTHY', at(5))).toEqual([]);
    expect(registry.status().subsystems[0]).toMatchObject({ health: 'UNHEALTHY', breaker: 'closed', consecutiveFailures: 2 });
    expect(moves(registry.report('urabrask', 'CRITICAL', at(6)))).toEqual(['urabrask closed→open']);
  });

  it('stays open for its open period whatever is reported, then the next report decides', () => {
    const registry = new HealthRegistry(patient);
    for (const s of [0, 1, 2]) registry.report('tezzeret', 'UNHEALTHY', at(s));
    expect(registry.settleMode(at(2))).toEqual({ on: true, at: at(2) });
    expect(registry.report('tezzeret', 'HEALTHY', at(10))).toEqual([]);
    expect(registry.nextDueAt()).toBe(at(32));
    expect(registry.openBreakers).toEqual(['tezzeret']);
    expect(moves(registry.report('tezzeret', 'UNHEALTHY', at(33)))).toEqual(['tezzeret open→half-open', 'tezzeret half-open→open']);
    expect(registry.status().subsystems[0]!.halfOpenAt).toBe('2026-01-01T00:01:03.000Z');
    expect(moves(registry.advance(at(63)))).toEqual(['tezzeret open→half-open']);
    expect(registry.openBreakers).toEqual(['tezzeret']); // half-open is still conservative
    expect(moves(registry.report('tezzeret', 'HEALTHY', at(64)))).toEqual(['tezzeret half-open→closed']);
    expect(registry.settleMode(at(64))).toEqual({ on: false, at: at(64) });
    expect(registry.status().subsystems[0]).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
  });

  it('counts one failure per missed heartbeat period of a subsystem it has heard from', () => {
    const registry = new HealthRegistry(settings);
    registry.report('kasmina', 'HEALTHY', at(0));
    expect(registry.nextDueAt()).toBe(at(10));
    expect(registry.advance(at(25))).toEqual([]);
    expect(registry.status().subsystems[0]).toMatchObject({ consecutiveFailures: 2, lastFailure: { reason: 'silent for 20 s' } });
    const opened = registry.advance(at(30));
    expect(opened).toEqual([
      { subsystem: 'kasmina', from: 'closed', to: 'open', at: at(30), reason: '3 failures in a row (last: silent for 30 s)' },
    ]);
    // Still silent when the open period ends: half-open, and the next missed heartbeat reopens it.
    expect(moves(registry.advance(at(70)))).toEqual(['kasmina open→half-open', 'kasmina half-open→open']);
    // A subsystem never heard from has no heartbeat to miss.
    expect(registry.status().subsystems.map((s) => s.subsystem)).toEqual(['kasmina']);
  });

  it("counts the relay's own failure reports", () => {
    const registry = new HealthRegistry({ ...settings, failureThreshold: 2 });
    registry.fail('tolaria', 'missed its FAST rollback deadline', at(0));
    expect(moves(registry.fail('tolaria', 'missed its FULL rollback deadline', at(1)))).toEqual(['tolaria closed→open']);
    expect(registry.status().subsystems[0]).toMatchObject({
      health: 'UNKNOWN',
      lastFailure: { reason: 'missed its FULL rollback deadline' },
    });
  });

  it('carries its state over, as continue-as-new does', () => {
    const registry = new HealthRegistry(patient);
    for (const s of [0, 1, 2]) registry.report('tezzeret', 'UNHEALTHY', at(s));
    registry.settleMode(at(2));
    const copy = new HealthRegistry(patient, registry.snapshot());
    expect(copy.status()).toEqual(registry.status());
    expect(moves(copy.advance(at(32)))).toEqual(['tezzeret open→half-open']);
  });
});
