/**
 * `esperHealthWorkflow`: the health registry of one relay task queue (`esper-health-<taskQueue>`), running for as
 * long as the relay does. Every TelemetryPacket (signalled by the health ingress) and every failure the relay's own
 * coordination reports feeds one circuit breaker per subsystem; durable timers open the half-open window and
 * notice missed heartbeats. A breaker change is published on the bus (CIRCUIT_BREAKER OPEN / RESET) and told to the
 * admins; while any breaker is not closed, coordination is in conservative mode (`esperHealthQuery` says so, and
 * `/compile` refuses non-SAFE blueprints). Continues as new every few hundred signals, carrying the breakers over.
 */
import { allHandlersFinished, condition, continueAsNew, log, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  defaultBreakerSettings,
  esperHealthQuery,
  esperHealthWorkflowId,
  healthTelemetrySignal,
  subsystemFailureSignal,
  type BreakerSettings,
  type EsperHealthInput,
} from '../../contracts/esper/health';
import type { BreakerTransition } from '../../domain/esper/breaker';
import { HealthRegistry } from '../../domain/esper/health-registry';
import { notifyAdminsOfBreakers, publishBreakerCommands } from './health-steps';

/** Signals taken per run before continuing as new (each is one history event, plus its workflow task). */
const SIGNALS_PER_RUN = 1_000;
/** Message ids remembered, so a redelivered packet counts once (a telemetry burst stays well under this). */
const RECENT_IDS_KEPT = 500;

export async function esperHealthWorkflow(input: EsperHealthInput): Promise<void> {
  const settings = settingsOf(input.settings);
  // Derived from the input, not workflowInfo(): a history replayed under another id takes the same path.
  const workflowId = esperHealthWorkflowId(input.taskQueue);
  const registry = new HealthRegistry(settings, input.carried);
  const recentIds = [...(input.carried?.recentMessageIds ?? [])];
  const pending: BreakerTransition[] = [];
  let signals = 0;
  const firstTime = (id: string) => {
    if (recentIds.includes(id)) return false;
    recentIds.push(id);
    if (recentIds.length > RECENT_IDS_KEPT) recentIds.shift();
    signals += 1;
    return true;
  };
  setHandler(healthTelemetrySignal, ({ messageId, message }) => {
    if (firstTime(messageId)) pending.push(...registry.report(message.source, message.health, Date.now()));
  });
  setHandler(subsystemFailureSignal, (report) => {
    if (firstTime(`${report.reportedBy}/${report.reportId}`)) pending.push(...registry.fail(report.subsystem, report.reason, Date.now()));
  });
  setHandler(esperHealthQuery, () => registry.status());

  const signalsPerRun = input.signalsPerRun ?? SIGNALS_PER_RUN;
  const timeToContinue = () => signals >= signalsPerRun || workflowInfo().continueAsNewSuggested;
  show(registry);
  for (;;) {
    const due = registry.nextDueAt();
    const wake = () => pending.length > 0 || timeToContinue();
    if (due === undefined) await condition(wake);
    else if (due > Date.now()) await condition(wake, due - Date.now());
    pending.push(...registry.advance(Date.now()));
    const batch = pending.splice(0);
    const mode = registry.settleMode(Date.now());
    if (batch.length > 0 || mode) {
      show(registry);
      log.info('Esper circuit breakers changed', { changes: batch.map((t) => `${t.subsystem} ${t.from}→${t.to}`), conservative: mode?.on });
      await publishBreakerCommands(batch);
      await notifyAdminsOfBreakers(workflowId, registry, batch, mode);
    }
    if (timeToContinue() && pending.length === 0) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof esperHealthWorkflow>({ ...input, carried: { ...registry.snapshot(), recentMessageIds: recentIds } });
    }
  }
}

/** The input's settings over the defaults; a non-positive number falls back to the default (it would spin). */
function settingsOf(given: Partial<BreakerSettings> = {}): BreakerSettings {
  const pick = (key: keyof BreakerSettings) => (given[key] !== undefined && given[key] > 0 ? given[key] : defaultBreakerSettings[key]);
  return { failureThreshold: pick('failureThreshold'), openMs: pick('openMs'), heartbeatTimeoutMs: pick('heartbeatTimeoutMs') };
}

/** The Web UI's current details: conservative mode, then one line per subsystem. */
function show(registry: HealthRegistry): void {
  const { conservativeMode, subsystems } = registry.status();
  const head = conservativeMode.on
    ? `**Conservative mode ON** since ${conservativeMode.since}: breakers not closed: **${conservativeMode.openBreakers.join(', ')}**`
    : 'Conservative mode off: every breaker closed';
  const rows = subsystems.map(
    (s) =>
      `- ${s.subsystem}: ${s.health}, breaker **${s.breaker}**` +
      (s.breaker === 'open' ? ` until ${s.halfOpenAt}` : '') +
      (s.lastFailure ? ` (last failure ${s.lastFailure.at}: ${s.lastFailure.reason})` : ''),
  );
  setCurrentDetails([head, ...rows].join('\n'));
}
