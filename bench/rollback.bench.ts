/**
 * Emergency rollback coordination latency: from an EmergencySignal published on the bus to the rollback's report,
 * through the real relay (own Temporal dev server, real worker, rollback ingress, in-process bus) against the
 * simulator's Tamiyo, Kasmina and Tolaria acknowledging at once (delays 0). ESPER.md's deadlines apply unchanged,
 * so a slow coordination shows as an escalation in the level counts.
 *
 *   npx tsx bench/rollback.bench.ts [--rollbacks 50] [--level CONSERVATIVE|ELEVATED|HALT] [--json]
 *
 * Rollbacks run one after another. "to report" ends when the caller holds the report (`result()` resolving);
 * "to close" uses the server's close time instead (no client long-poll); "outcome settled" is the report's
 * finishedAt (all three acknowledged, before the admin notice on the outbound queue); "in workflow" is the
 * report's durationMs (first workflow task → outcome, workflow time).
 */
import { parseArgs } from 'node:util';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { EmergencyLevel } from '../contracts/esper/emergency-signal';
import { sealEsperMessage } from '../contracts/esper/envelope-signing';
import { emergencyTriggerId, rollbackWorkflowId, type EmergencyRollbackReport } from '../contracts/esper/rollback';
import { oonaStreams } from '../contracts/esper/transport';
import type { emergencyRollbackWorkflow } from '../workflows';
import { note, startBenchRelay } from './bench-relay';

const WARMUP = 5;

const { values } = parseArgs({
  options: { rollbacks: { type: 'string', default: '50' }, level: { type: 'string', default: 'CONSERVATIVE' }, json: { type: 'boolean' } },
});
const count = Number(values.rollbacks);
const level = values.level as EmergencyLevel;
if (!Number.isInteger(count) || count <= 0) throw new Error(`--rollbacks must be a positive integer; got "${values.rollbacks}"`);

/** Nearest-rank percentile. */
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1)! };
};

async function main() {
  const zero = { ackDelayMs: 0 };
  const relay = await startBenchRelay('rollback-bench', {
    simulator: { rollback: { tamiyo: zero, kasmina: zero, tolaria: zero } },
    bus: { blockMs: 1_000 },
  });
  const { client, esper } = relay;

  const once = async (index: number) => {
    const raisedAt = new Date();
    const signal = {
      version: 1 as const,
      level,
      reason: 'bench',
      origin: 'tolaria' as const,
      runId: `bench-${index}`,
      raisedAt: raisedAt.toISOString(),
    };
    const workflowId = rollbackWorkflowId(signal.runId, emergencyTriggerId(signal));
    const envelope = sealEsperMessage(
      { kind: 'emergency-signal', payload: signal, id: `bench-sig-${index}`, origin: 'tolaria', sentAt: raisedAt },
      esper.deps.signingSecret,
    );
    const start = performance.now();
    const startWall = Date.now();
    await esper.transport.publish(oonaStreams.emergency, envelope);
    const handle = client.workflow.getHandle<typeof emergencyRollbackWorkflow>(workflowId);
    let report: EmergencyRollbackReport | undefined;
    while (!report) {
      report = await handle.result().catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      });
    }
    const toReport = performance.now() - start;
    const closeTime = (await handle.describe()).closeTime!.getTime();
    const toOutcome = Date.parse(report.finishedAt) - startWall;
    return { toReport, toClose: closeTime - startWall, toOutcome, inWorkflow: report.durationMs, levelReached: report.levelReached };
  };

  try {
    note(`warming up (${WARMUP} rollbacks)`);
    for (let i = 0; i < WARMUP; i += 1) await once(-1 - i);
    note(`measuring ${count} rollbacks from ${level} signals`);
    const samples = [];
    for (let i = 0; i < count; i += 1) samples.push(await once(i));
    const levels: Record<string, number> = {};
    for (const s of samples) levels[s.levelReached] = (levels[s.levelReached] ?? 0) + 1;
    const result = {
      rollbacks: count,
      signal: level,
      toReportMs: summary(samples.map((s) => s.toReport)),
      toCloseMs: summary(samples.map((s) => s.toClose)),
      toOutcomeMs: summary(samples.map((s) => s.toOutcome)),
      inWorkflowMs: summary(samples.map((s) => s.inWorkflow)),
      levelsReached: levels,
    };
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const row = (name: string, s: ReturnType<typeof summary>) =>
        `${name.padEnd(36)} median ${s.median.toFixed(1).padStart(7)} ms   p95 ${s.p95.toFixed(1).padStart(7)} ms   max ${s.max.toFixed(1).padStart(7)} ms`;
      process.stdout.write(
        [
          `emergency rollback, ${count} rollbacks from ${level} signals, simulator delays 0, ESPER deadlines`,
          row('signal published → report (caller)', result.toReportMs),
          row('signal published → workflow closed', result.toCloseMs),
          row('signal published → outcome settled', result.toOutcomeMs),
          row('workflow start → outcome (workflow)', result.inWorkflowMs),
          `levels reached: ${Object.entries(levels)
            .map(([l, n]) => `${l} ${n}`)
            .join(', ')}`,
        ].join('\n') + '\n',
      );
    }
  } finally {
    await relay.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`rollback bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
