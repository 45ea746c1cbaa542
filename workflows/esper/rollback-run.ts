/**
 * The state of one emergency rollback: who it is, the acknowledgements it waits for (each message id taken once,
 * answers to commands it is not waiting for counted and ignored), the report it builds, and what the Web UI and
 * the status query show.
 */
import { log, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { RollbackLevel } from '../../contracts/esper/adaptation-command';
import type { FieldReport } from '../../contracts/esper/field-report';
import {
  emergencyRollbackStatusQuery,
  rollbackAcknowledgedSignal,
  rollbackDeadlinesMs,
  rollbackWorkflowId,
  type EmergencyRollbackInput,
  type EmergencyRollbackReport,
  type RollbackEscalation,
  type RollbackPhase,
  type RollbackStep,
  type RollbackSubsystem,
} from '../../contracts/esper/rollback';

export class RollbackRun {
  /**
   * `rollback-<runId>-<triggerId>`, derived from the input rather than read from `workflowInfo()`, so the command
   * ids (and which acknowledgements are ours) never depend on the execution's id: a history replayed under
   * another id takes the same path.
   */
  readonly workflowId: string;
  readonly report: EmergencyRollbackReport;
  readonly startedAt = Date.now();
  phase: RollbackPhase = 'unwinding';
  level: RollbackLevel | 'HALT';
  waitingFor?: RollbackSubsystem;
  /** The command whose FieldReport is wanted now, and the report once it came. */
  private awaited?: string;
  private answer?: FieldReport;
  private readonly seen = new Set<string>();

  /** Registers the signal and query handlers; construct once, at the start of the workflow. */
  constructor(readonly input: EmergencyRollbackInput) {
    this.workflowId = rollbackWorkflowId(input.runId, input.triggerId);
    this.level = input.level;
    this.report = {
      workflowId: this.workflowId,
      runId: input.runId,
      trigger: input.trigger,
      startLevel: input.level,
      levelReached: input.level,
      outcome: 'ROLLED_BACK',
      steps: [],
      escalations: [],
      startedAt: new Date(this.startedAt).toISOString(),
      finishedAt: new Date(this.startedAt).toISOString(),
      durationMs: 0,
      ignoredAcknowledgements: 0,
      adminsNotified: 0,
    };
    setHandler(rollbackAcknowledgedSignal, ({ messageId, message }) => {
      if (this.seen.has(messageId) || message.commandId !== this.awaited || this.answer) {
        // A redelivery, or an answer that came after its deadline: the run has moved on.
        this.report.ignoredAcknowledgements += 1;
        log.info('ignored a rollback acknowledgement', { messageId, commandId: message.commandId });
      } else {
        this.answer = message;
      }
      this.seen.add(messageId);
    });
    setHandler(emergencyRollbackStatusQuery, () => ({
      phase: this.phase,
      level: this.level,
      waitingFor: this.waitingFor,
      steps: [...this.report.steps],
      escalations: [...this.report.escalations],
    }));
  }

  /** The deadline of each subsystem's acknowledgement at `level`. */
  deadlineOf(level: RollbackLevel): number {
    return this.input.deadlinesMs?.[level] ?? rollbackDeadlinesMs[level];
  }

  /** From now on, the FieldReport about `commandId` (from `subsystem`) is the one wanted. */
  expect(commandId: string, subsystem: RollbackSubsystem): void {
    this.awaited = commandId;
    this.answer = undefined;
    this.waitingFor = subsystem;
  }

  /** The wanted FieldReport, once it came. */
  get acknowledgement(): FieldReport | undefined {
    return this.answer;
  }

  /** Records a subsystem's step and stops waiting for it. */
  record(step: RollbackStep): void {
    this.report.steps.push(step);
    this.awaited = undefined;
    this.waitingFor = undefined;
  }

  /** Records an escalation and moves to its level. */
  escalate(escalation: RollbackEscalation): void {
    this.report.escalations.push(escalation);
    this.level = escalation.to;
    this.report.levelReached = escalation.to;
  }

  /** Moves to `phase` and says so in the Web UI's current details (markdown) and the workflow log. */
  show(phase: RollbackPhase, details: string): void {
    this.phase = phase;
    setCurrentDetails(details);
    log.info(details.replace(/\*\*/g, ''), { phase });
  }
}
