/**
 * Reads a workflow's history the way an operator thinks about it: one entry per pipeline step (activity) with
 * its attempts, duration, status and last failure, plus the child workflows a chat session started. Pure
 * functions over the events, so they work on a fetched history and on a recorded JSON one alike.
 */
import type { temporal } from '@temporalio/proto';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
export type ProtoFailure = temporal.api.failure.v1.IFailure;

export type StepStatus = 'completed' | 'failed' | 'timed out' | 'canceled' | 'running';

/** One activity of the history, from its scheduling to its close (or still open). */
export interface ActivityStep {
  activityType: string;
  activityId: string;
  scheduledEventId: number;
  /** The workflow task that scheduled the activity: a reset there keeps every earlier step and re-runs this one. */
  scheduledByEventId: number;
  status: StepStatus;
  /** Attempts started (the last ActivityTaskStarted's `attempt`); 0 when it never started. */
  attempts: number;
  scheduledAt?: Date;
  closedAt?: Date;
  durationMs?: number;
  /** The close failure, or (for a step that succeeded on a retry) the failure of the attempt before. */
  lastFailure?: ProtoFailure;
}

/** A child workflow started from this history (a chat session's messages). */
export interface ChildStep {
  workflowId: string;
  workflowType: string;
  status: StepStatus | 'terminated' | 'starting';
}

/**
 * int64 fields arrive as `Long`s from the server but as plain numbers from `historyFromJSON`; both print as
 * their decimal value.
 */
const int64 = (value: unknown): number => Number(String(value ?? 0));
const eventId = (event: HistoryEvent) => int64(event.eventId);
const eventTime = (event: HistoryEvent): Date | undefined =>
  event.eventTime ? new Date(int64(event.eventTime.seconds) * 1000 + Math.floor((event.eventTime.nanos ?? 0) / 1e6)) : undefined;

/** Every activity of the history in scheduling order. */
export function activitySteps(events: HistoryEvent[]): ActivityStep[] {
  const steps = new Map<number, ActivityStep>();
  const close = (scheduledEventId: unknown, event: HistoryEvent, status: StepStatus, failure?: ProtoFailure | null) => {
    const step = steps.get(int64(scheduledEventId));
    if (!step) return;
    step.status = status;
    step.closedAt = eventTime(event);
    if (step.scheduledAt && step.closedAt) step.durationMs = step.closedAt.getTime() - step.scheduledAt.getTime();
    if (failure) step.lastFailure = failure;
  };
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      steps.set(eventId(event), {
        activityType: scheduled.activityType?.name ?? '?',
        activityId: scheduled.activityId ?? '',
        scheduledEventId: eventId(event),
        scheduledByEventId: int64(scheduled.workflowTaskCompletedEventId),
        status: 'running',
        attempts: 0,
        scheduledAt: eventTime(event),
      });
    }
    const started = event.activityTaskStartedEventAttributes;
    const step = started && steps.get(int64(started.scheduledEventId));
    if (started && step) {
      step.attempts = started.attempt ?? 1;
      if (started.lastFailure) step.lastFailure = started.lastFailure;
    }
    const { activityTaskCompletedEventAttributes: completed, activityTaskFailedEventAttributes: failed } = event;
    const { activityTaskTimedOutEventAttributes: timedOut, activityTaskCanceledEventAttributes: canceled } = event;
    if (completed) close(completed.scheduledEventId, event, 'completed');
    if (failed) close(failed.scheduledEventId, event, 'failed', failed.failure);
    if (timedOut) close(timedOut.scheduledEventId, event, 'timed out', timedOut.failure);
    if (canceled) close(canceled.scheduledEventId, event, 'canceled');
  }
  return [...steps.values()];
}

/** Child workflows started by the history, in order, with how each ended (as far as this history knows). */
export function childSteps(events: HistoryEvent[]): ChildStep[] {
  const children = new Map<number, ChildStep>();
  const mark = (attributes: { initiatedEventId?: unknown } | null | undefined, status: ChildStep['status']) => {
    const child = attributes && children.get(int64(attributes.initiatedEventId));
    if (child) child.status = status;
  };
  for (const event of events) {
    const initiated = event.startChildWorkflowExecutionInitiatedEventAttributes;
    if (initiated) {
      const child = { workflowId: initiated.workflowId ?? '?', workflowType: initiated.workflowType?.name ?? '?' };
      children.set(eventId(event), { ...child, status: 'starting' });
    }
    mark(event.childWorkflowExecutionStartedEventAttributes, 'running');
    mark(event.childWorkflowExecutionCompletedEventAttributes, 'completed');
    mark(event.childWorkflowExecutionFailedEventAttributes, 'failed');
    mark(event.childWorkflowExecutionTimedOutEventAttributes, 'timed out');
    mark(event.childWorkflowExecutionCanceledEventAttributes, 'canceled');
    mark(event.childWorkflowExecutionTerminatedEventAttributes, 'terminated');
    mark(event.startChildWorkflowExecutionFailedEventAttributes, 'failed');
  }
  return [...children.values()];
}

/** The first event's attributes: workflow type, task queue, input payloads, start metadata. */
export function startAttributes(events: HistoryEvent[]) {
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error('history does not begin with WorkflowExecutionStarted');
  return started;
}

/** The event that closed the run (completed, failed, timed out, terminated, canceled, continued), if closed. */
export function closeEvent(events: HistoryEvent[]): HistoryEvent | undefined {
  const last = events.at(-1);
  if (!last) return undefined;
  const closing = [
    last.workflowExecutionCompletedEventAttributes,
    last.workflowExecutionFailedEventAttributes,
    last.workflowExecutionTimedOutEventAttributes,
    last.workflowExecutionTerminatedEventAttributes,
    last.workflowExecutionCanceledEventAttributes,
    last.workflowExecutionContinuedAsNewEventAttributes,
  ];
  return closing.some(Boolean) ? last : undefined;
}
