/**
 * The state of one training run's entity workflow: the aggregate, the message ids already taken (bounded), and
 * the alert notices not yet sent. Signals update it synchronously; the workflow's loop sends the notices. Also
 * what the status query and the Web UI's current details show.
 */
import { log, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { EsperReply } from '../../contracts/esper/blueprint-pipeline';
import {
  trainingRunStatusQuery,
  trainingStateSignal,
  trainingTelemetrySignal,
  type TrainingRunSettings,
} from '../../contracts/esper/training-run';
import type { AlertChange } from '../../domain/esper/alert-book';
import { newAggregate, observeState, observeTelemetry, statusOf, type TrainingAggregate } from '../../domain/esper/training-aggregate';

/** Message ids remembered for dedupe: far more than the bus redelivers within its replay window. */
export const SEEN_IDS_KEPT = 1_000;

/** One alert notice for the admins; `dedupeKey` names the run, the alert and its occurrence, so it goes out once. */
export interface AlertNotice {
  text: string;
  dedupeKey: string;
}

/** What continue-as-new carries over: the compact state only. */
export interface TrainingRunCarry {
  aggregate: TrainingAggregate;
  seenIds: string[];
  outbox: AlertNotice[];
}

export class TrainingRunEntity {
  readonly aggregate: TrainingAggregate;
  readonly outbox: AlertNotice[];
  /** Packets taken by this execution (continue-as-new counts from here). */
  takenThisRun = 0;
  private readonly seenIds: string[];
  private readonly seen: Set<string>;

  /** Registers the signal and query handlers; construct once, at the start of the workflow. */
  constructor(
    readonly runId: string,
    private readonly settings: TrainingRunSettings,
    carried?: TrainingRunCarry,
  ) {
    this.aggregate = carried?.aggregate ?? newAggregate(runId);
    this.outbox = [...(carried?.outbox ?? [])];
    this.seenIds = [...(carried?.seenIds ?? [])];
    this.seen = new Set(this.seenIds);
    setHandler(trainingStateSignal, (reply) => this.take(reply, (at) => observeState(this.aggregate, reply.message, settings, at)));
    setHandler(trainingTelemetrySignal, (reply) => this.take(reply, (at) => observeTelemetry(this.aggregate, reply.message, settings, at)));
    setHandler(trainingRunStatusQuery, () => statusOf(this.aggregate));
  }

  /** The state to continue as new with. */
  carry(): TrainingRunCarry {
    return { aggregate: this.aggregate, seenIds: this.seenIds.slice(-SEEN_IDS_KEPT), outbox: [...this.outbox] };
  }

  /** Says where the run stands in the Web UI's current details (markdown). */
  show(headline?: string): void {
    const status = statusOf(this.aggregate);
    const { p95, last } = status.window.epochLatencyMs;
    const alerts = status.alerts.active.map((alert) => `- **${alert.severity}** ${alert.message}`);
    const seeds = Object.entries(status.seedCounts).map(([stage, count]) => `${stage} ${count}`);
    setCurrentDetails(
      [
        headline ?? `**Run ${this.runId}** ${status.phase}: epoch **${status.epoch}**, step ${status.globalStep}`,
        `Validation loss **${status.validation.loss.toFixed(4)}** (${status.lossTrend}), accuracy ${status.validation.accuracy.toFixed(3)}`,
        `Epoch latency last ${last ?? '–'} ms, p95 ${p95 ?? '–'} ms${status.conservative ? ' · **conservative mode**' : ''}`,
        `Seeds: ${seeds.join(', ') || 'none reported'}`,
        alerts.length ? `Active alerts:\n${alerts.join('\n')}` : 'No active alerts',
      ].join('\n\n'),
    );
  }

  private take<T extends { runId?: string }>(reply: EsperReply<T>, observe: (atIso: string) => AlertChange[]): void {
    if (this.seen.has(reply.messageId)) {
      this.aggregate.duplicatesIgnored += 1;
      log.info('ignored a copy of a training packet', { messageId: reply.messageId });
      return;
    }
    this.remember(reply.messageId);
    if (reply.message.runId !== this.runId) {
      log.warn('ignored a packet of another run', { messageId: reply.messageId, runId: reply.message.runId });
      return;
    }
    this.takenThisRun += 1;
    if (this.aggregate.phase === 'FINISHED') return; // a straggler after the end: the run's story is told
    const changes = observe(new Date(Date.now()).toISOString());
    for (const change of changes) this.outbox.push(this.noticeOf(change));
    this.show();
  }

  private remember(messageId: string): void {
    this.seenIds.push(messageId);
    this.seen.add(messageId);
    if (this.seenIds.length > SEEN_IDS_KEPT) this.seen.delete(this.seenIds.shift()!);
  }

  private noticeOf({ kind, alert }: AlertChange): AlertNotice {
    const dedupeKey = `training-alert:${this.runId}:${alert.key}:${alert.occurrence}:${kind}`;
    if (kind === 'raised') return { dedupeKey, text: `Esper run ${this.runId}: ${alert.severity} ${alert.rule}: ${alert.message}.` };
    return { dedupeKey, text: `Esper run ${this.runId}: cleared ${alert.rule} (raised ${alert.raisedAt}): ${alert.message}.` };
  }
}
