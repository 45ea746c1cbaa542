/**
 * The alerts of one training run: which are active, which cleared recently, and how often each has been raised.
 * Rules hand in verdicts; a verdict raises an alert once when its condition starts and clears it once when it
 * ends. Rules with hysteresis answer `hold` between the two thresholds, so a value hovering at the edge never
 * flaps. Pure data and functions.
 */
import type { AlertSeverity, AlertView, TrainingAlertRule } from '../../contracts/esper/training-run';

/** An active alert, with the key it is tracked under and which occurrence of that key it is (1, 2, …). */
export interface ActiveAlert extends AlertView {
  key: string;
  occurrence: number;
}

export interface AlertBook {
  active: ActiveAlert[];
  /** Cleared alerts, newest last, at most `RECENT_ALERTS_KEPT`. */
  recent: ActiveAlert[];
  /** Times each key was raised so far; numbers each occurrence so a notice about it is sent once. */
  occurrences: Record<string, number>;
}

export const RECENT_ALERTS_KEPT = 20;

export const emptyAlertBook = (): AlertBook => ({ active: [], recent: [], occurrences: {} });

/** A rule's judgement of the latest observation: its condition holds (`on`), ended (`off`), or is undecided. */
export interface Verdict {
  rule: TrainingAlertRule;
  /** For rules that fire once per thing (a seed id). */
  subject?: string;
  state: 'on' | 'off' | 'hold';
  severity: AlertSeverity;
  /** What to tell people when it is raised. */
  message: string;
}

/** An alert raised or cleared by an observation: what the admins are told. */
export interface AlertChange {
  kind: 'raised' | 'cleared';
  alert: ActiveAlert;
}

/** The key an alert is tracked under: its rule, and its subject when it has one. */
export function alertKey(rule: TrainingAlertRule, subject?: string): string {
  return subject === undefined ? rule : `${rule}:${subject}`;
}

/** Applies `verdicts` at `atIso`; updates `book` in place and returns what changed, in verdict order. */
export function applyVerdicts(book: AlertBook, verdicts: readonly Verdict[], atIso: string): AlertChange[] {
  const changes: AlertChange[] = [];
  for (const verdict of verdicts) {
    const key = alertKey(verdict.rule, verdict.subject);
    const index = book.active.findIndex((alert) => alert.key === key);
    if (verdict.state === 'on' && index < 0) {
      const occurrence = (book.occurrences[key] ?? 0) + 1;
      book.occurrences[key] = occurrence;
      const { rule, subject, severity, message } = verdict;
      const alert: ActiveAlert = { key, occurrence, rule, severity, message, raisedAt: atIso, ...(subject ? { subject } : {}) };
      book.active.push(alert);
      changes.push({ kind: 'raised', alert });
    } else if (verdict.state === 'off' && index >= 0) {
      const [ended] = book.active.splice(index, 1);
      const cleared = { ...ended!, clearedAt: atIso };
      book.recent = [...book.recent, cleared].slice(-RECENT_ALERTS_KEPT);
      changes.push({ kind: 'cleared', alert: cleared });
    }
  }
  return changes;
}

/** Verdicts that clear the active alerts of `rule` whose subject is not in `present` (a seed that disappeared). */
export function clearVanished(book: AlertBook, rule: TrainingAlertRule, present: ReadonlySet<string>): Verdict[] {
  return book.active
    .filter((alert) => alert.rule === rule && alert.subject !== undefined && !present.has(alert.subject))
    .map((alert) => ({ rule, subject: alert.subject, state: 'off', severity: alert.severity, message: alert.message }));
}

/** The alerts as the status query shows them (without the bookkeeping fields). */
export function alertViews(alerts: readonly ActiveAlert[]): AlertView[] {
  return alerts.map(({ key: _key, occurrence: _occurrence, ...view }) => view);
}
