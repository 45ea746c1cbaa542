/**
 * The pipeline benchmark's report of one run: Temporal beside the in-process baseline, as JSON or a table.
 */
import type { roundAll, roundStats } from './pipeline-stats';

/** What `npm run bench` reports for one Temporal run beside the in-process baseline (`--json` prints it as is). */
export type Report = {
  machine: { node: string; cpus: number; cpuModel?: string; platform: string; totalMemMB: number };
  params: { messages: number; chats: number; warmupMessages: number; server: string; store: string; workers: string };
  setup: { serverStartMs: number; workerStartMs: number };
  temporal: ReturnType<typeof roundAll> & {
    claudeCalls: number;
    serverPeakRssMB?: number;
    serverClose: { wallMs: number; throughput: number; latency: ReturnType<typeof roundStats> };
  };
  baseline: ReturnType<typeof roundAll> & { claudeCalls: number };
  ratios: { p50LatencyTemporalOverBaseline: number; throughputBaselineOverTemporal: number; p50ServiceTemporalOverBaseline: number };
  totalMs: number;
};

/** The report as a table for a terminal. */
export function renderTable(r: Report): string {
  const fmt = (v: number | undefined, digits = 1) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');
  const rows: [string, string, string, string][] = [
    ['wall time (s)', fmt(r.temporal.wallMs / 1000, 2), fmt(r.baseline.wallMs / 1000, 2), ratio(r.temporal.wallMs, r.baseline.wallMs)],
    [
      'throughput (msg/s)',
      fmt(r.temporal.throughput),
      fmt(r.baseline.throughput),
      ratio(r.baseline.throughput, r.temporal.throughput) + ' (b/t)',
    ],
    ['latency p50 (ms)', fmt(r.temporal.latency.p50), fmt(r.baseline.latency.p50), ratio(r.temporal.latency.p50, r.baseline.latency.p50)],
    ['latency p95 (ms)', fmt(r.temporal.latency.p95), fmt(r.baseline.latency.p95), ratio(r.temporal.latency.p95, r.baseline.latency.p95)],
    ['latency p99 (ms)', fmt(r.temporal.latency.p99), fmt(r.baseline.latency.p99), ratio(r.temporal.latency.p99, r.baseline.latency.p99)],
    ['latency max (ms)', fmt(r.temporal.latency.max), fmt(r.baseline.latency.max), ratio(r.temporal.latency.max, r.baseline.latency.max)],
    [
      'per-message pipeline p50 (ms)',
      fmt(r.temporal.service.p50),
      fmt(r.baseline.service.p50),
      ratio(r.temporal.service.p50, r.baseline.service.p50),
    ],
    [
      'per-message pipeline p95 (ms)',
      fmt(r.temporal.service.p95),
      fmt(r.baseline.service.p95),
      ratio(r.temporal.service.p95, r.baseline.service.p95),
    ],
    ['peak RSS, bench process (MB)', fmt(r.temporal.peakRssMB), fmt(r.baseline.peakRssMB), ''],
    ['failed messages', String(r.temporal.failed), String(r.baseline.failed), ''],
  ];
  const head: [string, string, string, string] = ['', 'temporal', 'in-process', 'ratio (t/b)'];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...[head, ...rows].map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   ');
  const m = r.machine;
  const close = r.temporal.serverClose;
  return [
    `esper-relay pipeline benchmark — node ${m.node}, ${m.cpus} CPUs (${m.cpuModel ?? 'unknown'}), ${m.platform}, N=${r.params.messages} messages, M=${r.params.chats} chats, Claude double latency 0 ms`,
    `temporal: ${r.params.server}, ${r.params.workers}, ${r.params.store} store (the in-process run uses the same store)`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    "latency: hand-over → reply available (temporal: submitMessage → awaitOutcome resolves; includes waiting behind the chat's earlier messages).",
    'per-message pipeline: temporal = messageWorkflow start → close on the server; in-process = the five activities of that message.',
    `temporal measured to the server's close time instead (no awaitOutcome polling): p50 ${fmt(close.latency.p50)} / p95 ${fmt(close.latency.p95)} / p99 ${fmt(close.latency.p99)} / max ${fmt(close.latency.max)} ms, ${fmt(close.throughput)} msg/s`,
    `peak RSS of the Temporal server process during the run: ${fmt(r.temporal.serverPeakRssMB)} MB; bench process RSS at start of each run: temporal ${fmt(r.temporal.rssStartMB)} MB, in-process ${fmt(r.baseline.rssStartMB)} MB`,
    `setup: server ${fmt(r.setup.serverStartMs / 1000, 2)} s, workers ready (workflow bundle) ${fmt(r.setup.workerStartMs / 1000, 2)} s; whole benchmark ${fmt(r.totalMs / 1000, 1)} s`,
    '',
  ].join('\n');
}
