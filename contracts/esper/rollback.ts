/**
 * Emergency rollback's Temporal names and shapes, shared by the workflow, the bus ingress that starts and signals
 * it, the simulator that answers it, and the admin client. Definitions and pure functions only: safe for workflows.
 *
 * Addressing: an AdaptationCommand has no "target subsystem" field, so the relay's ROLLBACK command ids name their
 * addressee: `<workflowId>.<LEVEL>.<subsystem>` (`rollbackCommandId`). The id stays the idempotency key, the
 * subsystem's FieldReport quotes it, and the ingress finds the run again by parsing it.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { RollbackLevel } from './adaptation-command';
import type { EsperReply } from './blueprint-pipeline';
import type { EmergencyLevel, EmergencySignal } from './emergency-signal';
import type { FieldReport } from './field-report';

/** The subsystems a rollback unwinds, in this order (ESPER.md): policy first, then execution, then training. */
export const rollbackUnwindOrder = ['tamiyo', 'kasmina', 'tolaria'] as const;
export type RollbackSubsystem = (typeof rollbackUnwindOrder)[number];

/**
 * How long each subsystem has to acknowledge its command at each level, in ms: ESPER.md's budgets, upper ends
 * (full: ~2 s, up to 12 s recovery from durable checkpoints).
 */
export const rollbackDeadlinesMs: Readonly<Record<RollbackLevel, number>> = { FREEZE: 100, FAST: 500, FULL: 12_000, TUNE: 5_000 };

/** Where a missed deadline (or an aborted command) leads: one level up; a failed FULL rollback halts training. */
export const rollbackEscalation: Readonly<Record<RollbackLevel, RollbackLevel | 'HALT'>> = {
  FREEZE: 'FAST',
  FAST: 'FULL',
  TUNE: 'FULL',
  FULL: 'HALT',
};

/**
 * The level a bus EmergencySignal asks for; undefined means no rollback (a NOTICE informs only). The relay's own
 * signals (the HALT it publishes when a rollback fails) never start one, or a failure would loop.
 */
export function rollbackLevelForEmergency(signal: Pick<EmergencySignal, 'level' | 'origin'>): RollbackLevel | undefined {
  if (signal.origin === 'relay') return undefined;
  const levels: Record<EmergencyLevel, RollbackLevel | undefined> = {
    NOTICE: undefined,
    ELEVATED: 'FREEZE',
    CONSERVATIVE: 'FAST',
    HALT: 'FULL',
  };
  return levels[signal.level];
}

/** Longest workflow id: its command ids (`.FREEZE.kasmina`) and report ids must stay valid Esper ids (≤ 128). */
const MAX_WORKFLOW_ID = 100;

/** FNV-1a, 8 hex digits: shortens an over-long run id deterministically. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * Workflow id of one rollback: `rollback-<runId>-<triggerId>`. The same trigger (a redelivered or re-published
 * EmergencySignal, a repeated admin request) gives the same id, so it is processed once. A run id too long to fit
 * is cut and suffixed with its hash.
 */
export function rollbackWorkflowId(runId: string, triggerId: string): string {
  const id = `rollback-${runId}-${triggerId}`;
  if (id.length <= MAX_WORKFLOW_ID) return id;
  const keep = Math.max(1, MAX_WORKFLOW_ID - `rollback--_h12345678-${triggerId}`.length);
  return `rollback-${runId.slice(0, keep)}_h${shortHash(runId)}-${triggerId}`;
}

/** The trigger id of a bus EmergencySignal: who raised it and when, the same in every copy of it. */
export function emergencyTriggerId(signal: Pick<EmergencySignal, 'origin' | 'raisedAt'>): string {
  return `${signal.origin}-${Date.parse(signal.raisedAt)}`;
}

/** The ROLLBACK command of `subsystem` at `level` in run `workflowId`. */
export function rollbackCommandId(workflowId: string, level: RollbackLevel, subsystem: RollbackSubsystem): string {
  return `${workflowId}.${level}.${subsystem}`;
}

/** The parts of a relay rollback command id, or undefined for any other command. */
export function parseRollbackCommandId(
  commandId: string,
): { workflowId: string; level: RollbackLevel; subsystem: RollbackSubsystem } | undefined {
  const match = /^(rollback-.+)\.(FREEZE|FAST|FULL|TUNE)\.(tamiyo|kasmina|tolaria)$/.exec(commandId);
  if (!match) return undefined;
  return { workflowId: match[1]!, level: match[2] as RollbackLevel, subsystem: match[3] as RollbackSubsystem };
}

/** What set a rollback off: an EmergencySignal on the bus, or an admin. */
export type RollbackTrigger =
  | { kind: 'emergency-signal'; messageId: string; origin: EmergencySignal['origin']; emergencyLevel: EmergencyLevel; raisedAt: string }
  | { kind: 'admin'; requestedBy: string };

export interface EmergencyRollbackInput {
  /** The training run to roll back. */
  runId: string;
  /** Names the trigger within the run (see `emergencyTriggerId`); with the run id, it makes the workflow id. */
  triggerId: string;
  /** The level to start at; a failure escalates from there. */
  level: RollbackLevel;
  reason: string;
  trigger: RollbackTrigger;
  /** The checkpoint to restore; absent = the newest one each level can reach. */
  checkpointId?: string;
  /** Overrides of `rollbackDeadlinesMs` (tests and slow test machines). */
  deadlinesMs?: Partial<Record<RollbackLevel, number>>;
}

/** One subsystem's part of one level: how it answered, and how long after its command was published. */
export interface RollbackStep {
  level: RollbackLevel;
  subsystem: RollbackSubsystem;
  commandId: string;
  result: 'ACKNOWLEDGED' | 'ABORTED' | 'MISSED_DEADLINE' | 'NOT_PUBLISHED';
  /** From the command on the bus to its acknowledgement (or to the deadline), workflow time. */
  waitedMs: number;
  deadlineMs: number;
  /** The FieldReport's outcome, when one came. */
  reportOutcome?: FieldReport['outcome'];
}

export interface RollbackEscalation {
  from: RollbackLevel;
  to: RollbackLevel | 'HALT';
  /** Which subsystem failed, and how. */
  cause: string;
}

/** What a rollback came to: ROLLED_BACK at `levelReached`, or HALTED (and a HALT EmergencySignal was published). */
export interface EmergencyRollbackReport {
  workflowId: string;
  runId: string;
  trigger: RollbackTrigger;
  startLevel: RollbackLevel;
  levelReached: RollbackLevel | 'HALT';
  outcome: 'ROLLED_BACK' | 'HALTED';
  steps: RollbackStep[];
  escalations: RollbackEscalation[];
  /** Envelope id of the HALT EmergencySignal, when the rollback ended in HALT. */
  haltSignalId?: string;
  /** When the run began, and when the outcome was settled (before the admin notice); workflow time. */
  startedAt: string;
  finishedAt: string;
  /** From the start to the outcome, workflow time. */
  durationMs: number;
  /** Acknowledgements received more than once (bus redeliveries), or too late, and ignored. */
  ignoredAcknowledgements: number;
  /** Admins the outcome was sent to (0 when Telegram is not configured or the notice failed). */
  adminsNotified: number;
}

export type RollbackPhase = 'unwinding' | 'halting' | 'reporting' | 'done';

export interface EmergencyRollbackStatus {
  phase: RollbackPhase;
  level: RollbackLevel | 'HALT';
  /** The subsystem whose acknowledgement the run waits for now. */
  waitingFor?: RollbackSubsystem;
  steps: RollbackStep[];
  escalations: RollbackEscalation[];
}

/** A subsystem's FieldReport about one of the run's ROLLBACK commands, forwarded by the ingress. */
export const rollbackAcknowledgedSignal = defineSignal<[EsperReply<FieldReport>]>('rollbackAcknowledged');

export const emergencyRollbackStatusQuery = defineQuery<EmergencyRollbackStatus>('emergencyRollbackStatus');
