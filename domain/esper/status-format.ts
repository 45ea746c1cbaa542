/**
 * How `/status`, `/seeds` and `/health` (and the matching Claude tools) read: compact plain lines that survive
 * the markdown → Telegram HTML path unchanged. Pure: the statuses come from the workflows' queries.
 */
import type { EsperHealthStatus, SubsystemHealthView } from '../../contracts/esper/health';
import { seedStages } from '../../contracts/esper/lifecycle';
import type { AlertView, SeedView, TrainingRunStatus } from '../../contracts/esper/training-run';

/** Seed lines `/seeds` shows at most. */
export const SEED_LINES_MAX = 30;

const CONSERVATIVE_MEANS = 'SAFE blueprints only, no new germinations';

const number = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(3));
const percent = (value: number | null) => (value === null ? '' : ` (acc ${(value * 100).toFixed(1)}%)`);
const ms = (value: number | null) => (value === null ? '–' : `${Math.round(value * 10) / 10} ms`);

/** A run's training state in six lines. */
export function formatTrainingStatus(status: TrainingRunStatus): string {
  const latency = status.window.epochLatencyMs;
  const counts = seedStages.flatMap((stage) => (status.seedCounts[stage] ? [`${status.seedCounts[stage]} ${stage}`] : []));
  return [
    `Run ${status.runId} ${status.phase}: epoch ${status.epoch}, step ${status.globalStep}${status.lastStateAt ? ` (state at ${status.lastStateAt})` : ''}`,
    `Loss: train ${number(status.training.loss)}${percent(status.training.accuracy)}, validation ${number(status.validation.loss)}${percent(status.validation.accuracy)}; ${status.lossTrend}`,
    `Epoch latency: last ${ms(latency.last)}, p50 ${ms(latency.p50)}, p95 ${ms(latency.p95)} over ${status.window.epochs} epochs`,
    `Seeds: ${counts.length > 0 ? counts.join(', ') : 'none'}`,
    status.alerts.active.length > 0 ? `Alerts (${status.alerts.active.length}):` : 'Alerts: none active',
    ...status.alerts.active.map(formatAlert),
    `Conservative mode: ${status.conservative ? `ON (${CONSERVATIVE_MEANS})` : 'off'}`,
  ].join('\n');
}

function formatAlert(alert: AlertView): string {
  return `- ${alert.severity} ${alert.rule}${alert.subject ? ` ${alert.subject}` : ''}: ${alert.message} (since ${alert.raisedAt})`;
}

/** Each seed of a run on one line: stage, since when, blueprint, risk. */
export function formatSeeds(status: TrainingRunStatus): string {
  if (status.seeds.length === 0) return `Run ${status.runId} has no seeds yet (epoch ${status.epoch}).`;
  const more = status.seeds.length - SEED_LINES_MAX;
  return [
    `Seeds of run ${status.runId} at epoch ${status.epoch}:`,
    ...status.seeds.slice(0, SEED_LINES_MAX).map(formatSeed),
    ...(more > 0 ? [`… and ${more} more.`] : []),
  ].join('\n');
}

function formatSeed(seed: SeedView): string {
  return `${seed.seedId} ${seed.stage} since epoch ${seed.stageSinceEpoch}, ${seed.blueprintId ?? 'no blueprint'}, risk ${seed.riskScore.toFixed(2)}, grad norm ${number(seed.gradientNorm)}`;
}

/** The breakers and conservative mode: why coordination is cautious, and each subsystem's health. */
export function formatHealth(health: EsperHealthStatus, now: number): string {
  const mode = health.conservativeMode;
  const head = mode.on
    ? `Conservative mode: ON${mode.since ? ` since ${mode.since}` : ''}, because the breaker of ${mode.openBreakers.join(', ')} is not closed (${CONSERVATIVE_MEANS}).`
    : 'Conservative mode: off (every breaker closed).';
  if (health.subsystems.length === 0) return `${head}\nNo subsystem has reported yet.`;
  return [head, ...health.subsystems.map((view) => formatSubsystem(view, now))].join('\n');
}

function formatSubsystem(view: SubsystemHealthView, now: number): string {
  const seen = view.lastSeenAt ? `seen ${ago(Date.parse(view.lastSeenAt), now)}` : 'never seen';
  const breaker =
    view.breaker === 'closed'
      ? 'breaker closed'
      : `breaker ${view.breaker}${view.openedAt ? ` since ${view.openedAt}` : ''}${view.breaker === 'open' && view.halfOpenAt ? `, half-open at ${view.halfOpenAt}` : ''}`;
  const failure = view.lastFailure ? `; last failure: ${view.lastFailure.reason}` : '';
  const failures = view.consecutiveFailures > 0 ? `, ${view.consecutiveFailures} failure(s) in a row` : '';
  return `${view.subsystem} ${view.health}, ${seen}, ${breaker}${failures}${failure}`;
}

/** `12 s ago`, `3 min ago`, `2 h ago`. */
export function ago(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}
