/**
 * `trainingRunWorkflow`: the entity of one Esper training run, started by signal-with-start from the bus ingress.
 * It takes the run's state and telemetry packets as signals (each message id once), aggregates them, evaluates
 * the alert rules and tells the admins about every alert raised or cleared. It continues as new after
 * `signalsPerRun` packets (or when Temporal suggests), carrying only the compact aggregate, and ends when Tolaria
 * reports the run finished or after `idleTimeoutMs` without a packet. Training never waits for it: Tolaria
 * publishes and moves on.
 */
import { allHandlersFinished, condition, continueAsNew, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RelayActivities } from '../../activities';
import { defaultTrainingRunSettings, type TrainingRunInput, type TrainingRunStatus } from '../../contracts/esper/training-run';
import { statusOf } from '../../domain/esper/training-aggregate';
import { noticePreset, onOutboundQueue } from '../presets';
import { TrainingRunEntity, type TrainingRunCarry } from './training-run-entity';

const notices = proxyActivities<RelayActivities>(noticePreset);

/** An alert notice is keyed per occurrence, so the store may remember it for long: a retry never repeats it. */
const NOTICE_DEDUPE_WINDOW_MS = 30 * 24 * 60 * 60_000;

export async function trainingRunWorkflow(input: TrainingRunInput, carried?: TrainingRunCarry): Promise<TrainingRunStatus> {
  const settings = { ...defaultTrainingRunSettings, ...input.settings };
  const entity = new TrainingRunEntity(input.runId, settings, carried);
  entity.show();
  const dueToContinue = () => entity.takenThisRun >= settings.signalsPerRun || workflowInfo().continueAsNewSuggested;
  let taken = entity.takenThisRun;
  for (;;) {
    const woke = await condition(() => entity.takenThisRun !== taken || entity.outbox.length > 0, settings.idleTimeoutMs);
    taken = entity.takenThisRun;
    // Paced notices can take a while; one due to continue as new waits for the next execution (it is carried).
    await sendNotices(entity, dueToContinue);
    if (!woke) {
      await sendNotices(entity);
      entity.show(`**Run ${input.runId}**: no packet for ${Math.round(settings.idleTimeoutMs / 60_000)} min; the entity ended`);
      break;
    }
    if (entity.aggregate.phase === 'FINISHED') {
      await tellAdminsFinished(entity);
      break;
    }
    if (dueToContinue()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof trainingRunWorkflow>(input, entity.carry());
    }
  }
  return statusOf(entity.aggregate);
}

/** Sends the queued alert notices, oldest first. A notice that cannot be sent is logged and dropped: alerts are
 * also in the status, and a broken Telegram must not hold the run's ingestion up. */
async function sendNotices(entity: TrainingRunEntity, stopEarly: () => boolean = () => false): Promise<void> {
  while (entity.outbox.length > 0 && !stopEarly()) {
    const notice = entity.outbox[0]!;
    try {
      await notices.notifyAdmins.executeWithOptions(onOutboundQueue({ ...noticePreset, summary: `Tell the admins: ${notice.dedupeKey}` }), [
        { ...notice, windowMs: NOTICE_DEDUPE_WINDOW_MS },
      ]);
    } catch (error) {
      log.warn('an alert notice could not be sent', { dedupeKey: notice.dedupeKey, error: (error as Error).message });
    }
    entity.outbox.shift();
  }
}

async function tellAdminsFinished(entity: TrainingRunEntity): Promise<void> {
  const status = statusOf(entity.aggregate);
  entity.outbox.push({
    dedupeKey: `training-finished:${entity.runId}`,
    text:
      `Esper run ${entity.runId} finished at epoch ${status.epoch}: validation loss ${status.validation.loss.toFixed(4)}, ` +
      `accuracy ${status.validation.accuracy.toFixed(3)}; ${status.alerts.active.length} alert(s) still active.`,
  });
  await sendNotices(entity);
  entity.show(`**Run ${entity.runId}** finished at epoch **${status.epoch}**`);
}
