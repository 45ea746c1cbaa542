/**
 * The human approval a HIGH_RISK blueprint needs. The Update's validator refuses, before anything is recorded,
 * an approver who is not an admin, a decision while none is asked for, and a second decision; the accepted
 * decision is the Update's answer.
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { approveBlueprintUpdate, type ApprovalDecision, type ApprovalRequest } from '../../contracts/esper/blueprint-pipeline';

/** The failure type of a refused approval, for callers that branch on it. */
export const APPROVAL_REFUSED = 'ApprovalRefused';

export class ApprovalDesk {
  decision?: ApprovalDecision;
  private asking = false;

  /** Registers the Update handler; call once, at the start of the run. */
  constructor(private readonly approvers: readonly string[]) {
    setHandler(
      approveBlueprintUpdate,
      (request) => {
        this.decision = {
          decision: request.approve ? 'APPROVED' : 'DENIED',
          decidedBy: request.approverId,
          ...(request.note ? { note: request.note } : {}),
        };
        return this.decision;
      },
      { validator: (request) => this.check(request) },
    );
  }

  /** Waits up to `timeoutMs` for a decision; undefined when none came. */
  async ask(timeoutMs: number): Promise<ApprovalDecision | undefined> {
    this.asking = true;
    try {
      await condition(() => this.decision !== undefined, timeoutMs);
    } finally {
      this.asking = false;
    }
    return this.decision;
  }

  private check(request: ApprovalRequest): void {
    const refuse = (why: string) => {
      throw ApplicationFailure.create({ type: APPROVAL_REFUSED, message: why, nonRetryable: true });
    };
    if (!this.approvers.includes(request.approverId)) refuse(`user ${request.approverId} may not approve blueprints: only admins may`);
    if (this.decision) refuse(`already ${this.decision.decision.toLowerCase()} by user ${this.decision.decidedBy}`);
    if (!this.asking) refuse('this run is not waiting for an approval');
  }
}
