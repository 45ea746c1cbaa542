/**
 * The Esper health registry's Temporal names and shapes: one `esperHealthWorkflow` per relay task queue keeps a
 * circuit breaker per subsystem, fed by telemetry (the health ingress signals every TelemetryPacket) and by the
 * relay's own failure reports. While any breaker is not closed, coordination is in conservative mode: SAFE
 * blueprints only, no new germinations. Definitions and pure functions only: safe for workflows.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { EsperSubsystem } from './common';
import type { EsperReply } from './blueprint-pipeline';
import type { HealthStatus, TelemetryPacket } from './telemetry';

/** A breaker's state: closed (traffic flows), open (the subsystem failed), half-open (the next report decides). */
export const breakerStates = ['closed', 'open', 'half-open'] as const;
export type BreakerState = (typeof breakerStates)[number];

/** How the breakers judge a subsystem; every number is an option (tests shorten them). */
export interface BreakerSettings {
  /** Consecutive failures that open a breaker (default 3). */
  failureThreshold: number;
  /** How long a breaker stays open before it goes half-open, in ms (default 30 s). */
  openMs: number;
  /** A subsystem seen before that stays silent this long fails once per period, in ms (default 30 s). */
  heartbeatTimeoutMs: number;
}

/** ESPER.md's breakers: 3 failures → open 30 s → half-open; a heartbeat is missed after 30 s of silence. */
export const defaultBreakerSettings: Readonly<BreakerSettings> = { failureThreshold: 3, openMs: 30_000, heartbeatTimeoutMs: 30_000 };

/**
 * The run id of the relay's CIRCUIT_BREAKER AdaptationCommands: a breaker concerns a subsystem, not one training
 * run, so the command addresses every run (`all-runs`); each training run goes conservative on it.
 */
export const ALL_RUNS = 'all-runs';

/**
 * The failure type of a pipeline run refused at its start because of conservative mode. The run fails (it is
 * not a verdict on the blueprint): once every breaker closed, `relay replay` runs it again.
 */
export const CONSERVATIVE_MODE_REFUSED = 'ConservativeModeRefused';

/** Workflow id of the health registry of one relay task queue: `esper-health-<taskQueue>`. */
export function esperHealthWorkflowId(taskQueue: string): string {
  return `esper-health-${taskQueue}`;
}

/** A failure the relay's own coordination saw (a missed rollback deadline, a publish that kept failing). */
export interface SubsystemFailureReport {
  subsystem: EsperSubsystem;
  /** Why it counts as a failure, for the admins (`missed its 500 ms FAST rollback deadline`). */
  reason: string;
  /** Who saw it (a workflow id); with `reportId`, the dedupe key. */
  reportedBy: string;
  /** Unique per failure: a report signalled twice counts once. */
  reportId: string;
}

/** One subsystem as the registry sees it. Instants are ISO-8601. */
export interface SubsystemHealthView {
  subsystem: EsperSubsystem;
  /** The last health it reported; UNKNOWN until it reports. */
  health: HealthStatus | 'UNKNOWN';
  lastSeenAt?: string;
  breaker: BreakerState;
  consecutiveFailures: number;
  /** When the breaker last opened, and when it goes (or went) half-open. */
  openedAt?: string;
  halfOpenAt?: string;
  lastFailure?: { at: string; reason: string };
}

/** What `esperHealthQuery` answers. */
export interface EsperHealthStatus {
  conservativeMode: {
    /** At least one breaker is open or half-open. */
    on: boolean;
    since?: string;
    /** The subsystems whose breaker is open or half-open. */
    openBreakers: EsperSubsystem[];
  };
  /** Every subsystem seen (or reported failing), in `esperSubsystems` order. */
  subsystems: SubsystemHealthView[];
  settings: BreakerSettings;
}

/** The registry's state as continue-as-new carries it over (times in ms since the epoch). */
export interface SubsystemRecord {
  subsystem: EsperSubsystem;
  health: HealthStatus | 'UNKNOWN';
  lastSeenAt?: number;
  /** When the next heartbeat is due; a packet moves it on, a missed one counts a failure and moves it on too. */
  heartbeatDueAt?: number;
  breaker: BreakerState;
  consecutiveFailures: number;
  openedAt?: number;
  halfOpenAt?: number;
  lastFailure?: { at: number; reason: string };
}

/** How a relay runs its health registry: breaker settings, and how many signals one run takes (tests). */
export interface EsperHealthOptions {
  settings?: Partial<BreakerSettings>;
  /** Signals taken per run before continuing as new (default 1000). */
  signalsPerRun?: number;
}

export interface EsperHealthInput extends EsperHealthOptions {
  /** The relay task queue this registry serves (its workflow id is derived from it). */
  taskQueue: string;
  /** Carried over by continue-as-new. */
  carried?: { records: SubsystemRecord[]; conservativeSince?: number; recentMessageIds: string[] };
}

/** A TelemetryPacket from the bus, as the health ingress forwards it (the envelope id is the dedupe key). */
export const healthTelemetrySignal = defineSignal<[EsperReply<TelemetryPacket>]>('healthTelemetry');

/** A failure the relay's own coordination saw. */
export const subsystemFailureSignal = defineSignal<[SubsystemFailureReport]>('subsystemFailure');

export const esperHealthQuery = defineQuery<EsperHealthStatus>('esperHealth');
