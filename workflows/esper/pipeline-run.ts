/**
 * The state one pipeline run shares between its stages: who it is, its budgets, the replies and the approval it
 * waits for, the saga of undos, and the report it is building. Also what the Web UI and the status query show.
 */
import { CancellationScope, log, setCurrentDetails, setHandler } from '@temporalio/workflow';
import {
  blueprintPipelineStatusQuery,
  blueprintPipelineWorkflowId,
  esperBudgetsMs,
  type BlueprintPipelineInput,
  type BlueprintPipelineReport,
  type PipelinePhase,
} from '../../contracts/esper/blueprint-pipeline';
import type { CompileStrategy } from '../../contracts/esper/kernels';
import type { BlueprintTier } from '../../contracts/esper/lifecycle';
import { Saga } from '../saga';
import { ApprovalDesk } from './approval';
import type { PipelineStop } from './pipeline-stop';
import { ReplyInbox } from './replies';

export class PipelineRun {
  /**
   * This run's workflow id, `bp-<blueprintId>-<requestId>`, which is also its compile job id. Derived from the
   * input rather than read from `workflowInfo()`, so the run's decisions (which replies are ours) never depend on
   * the execution's id: a history replayed under another id (a replay check of a file) takes the same path.
   */
  readonly workflowId: string;
  readonly strategy: CompileStrategy;
  readonly budgets: { compile: number; safety: number; benchmark: number; approval: number };
  readonly inbox: ReplyInbox;
  readonly desk: ApprovalDesk;
  readonly saga: Saga;
  readonly report: BlueprintPipelineReport;
  /** Set when the run stopped short of VALIDATED; compensations read it to say why. */
  stop?: PipelineStop;
  phase: PipelinePhase = 'reserving_slot';

  /** Registers the run's signal, update and query handlers; construct once, at the start of the workflow. */
  constructor(
    readonly input: BlueprintPipelineInput,
    readonly blueprintId: string,
    readonly tier: BlueprintTier,
  ) {
    this.workflowId = blueprintPipelineWorkflowId(blueprintId, input.requestId);
    this.strategy = input.strategy ?? 'FAST';
    this.budgets = { ...esperBudgetsMs, compile: esperBudgetsMs.compile[this.strategy], ...input.timeoutsMs };
    this.inbox = new ReplyInbox(this.workflowId);
    this.desk = new ApprovalDesk(input.approvers);
    this.saga = new Saga({
      // A cancelled run must still finish unwinding: compensations run outside the cancelled scope.
      shield: (unwind) => CancellationScope.nonCancellable(unwind),
      onFailure: (name, error) => log.error('a compensation failed', { name, error: (error as Error).message }),
    });
    this.report = { workflowId: this.workflowId, blueprintId, tier, outcome: 'VALIDATED', compensations: [], duplicatesIgnored: 0 };
    setHandler(blueprintPipelineStatusQuery, () => ({
      phase: this.phase,
      blueprintId,
      tier,
      kernelId: this.report.kernel?.kernelId,
      repliesTaken: [...this.inbox.taken],
      duplicatesIgnored: this.inbox.duplicatesIgnored,
    }));
  }

  /** The catalogue fields every write of this run carries. */
  get entry() {
    return { blueprintId: this.blueprintId, tier: this.tier, updatedBy: this.workflowId };
  }

  /** Why the run stopped, for a compensation's record; a cancelled or failed run says so. */
  get why(): string {
    return this.stop ? `${this.stop.code}: ${this.stop.detail}` : `run ${this.workflowId} did not finish`;
  }

  /** Moves to `phase` and says so in the Web UI's current details (markdown) and the workflow log. */
  show(phase: PipelinePhase, details: string): void {
    this.phase = phase;
    setCurrentDetails(details);
    log.info(details.replace(/\*\*/g, ''), { phase });
  }
}

/** `ms` for people: `1.5 s`. */
export const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** The workflow's (deterministic) time plus `ms`, on the wire format. */
export const isoIn = (ms: number) => new Date(Date.now() + ms).toISOString();
