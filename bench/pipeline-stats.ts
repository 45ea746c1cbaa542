/**
 * What the pipeline benchmark measures and how it is reduced: per-message samples, nearest-rank percentiles,
 * memory sampling, progress lines.
 */
import { readdirSync, readFileSync } from 'node:fs';

const RSS_SAMPLE_MS = 100;

/** One message of a run: when it was handed over, when its reply was available, and what went wrong. */
export interface Sample {
  chat: number;
  text: string;
  workflowId?: string;
  /** performance.now() just before hand-over, and when the reply was available. */
  t0: number;
  t1: number;
  /** Date.now() just before hand-over (to compare with server timestamps). */
  wall0: number;
  /** Pipeline time of this message alone (no waiting behind the chat's earlier messages). */
  serviceMs?: number;
  /** Temporal only: the message workflow's close time on the server, as Date.now() ms. */
  closeWall?: number;
  error?: string;
}

/** Percentiles of one measure, in ms. */
export interface Stats {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles. */
export function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  return {
    count: sorted.length,
    mean: sorted.reduce((sum, v) => sum + v, 0) / (sorted.length || 1),
    p50: rank(50),
    p95: rank(95),
    p99: rank(99),
    max: sorted.at(-1) ?? NaN,
  };
}

/** A run reduced to its figures. */
export interface RunResult {
  wallMs: number;
  throughput: number;
  latency: Stats;
  service: Stats;
  errors: string[];
  rssStartMB: number;
  peakRssMB: number;
}

/** Throughput over the span from the first hand-over to the last reply, and the latency percentiles. */
export function summarize(samples: Sample[], rss: RssSampler): RunResult {
  const ok = samples.filter((s) => !s.error);
  const start = Math.min(...samples.map((s) => s.t0));
  const end = Math.max(...samples.map((s) => s.t1));
  const wallMs = end - start;
  return {
    wallMs,
    throughput: ok.length / (wallMs / 1000),
    latency: stats(ok.map((s) => s.t1 - s.t0)),
    service: stats(ok.flatMap((s) => (s.serviceMs === undefined ? [] : [s.serviceMs]))),
    errors: samples.flatMap((s) => (s.error ? [s.error] : [])),
    rssStartMB: rss.startMB,
    peakRssMB: rss.peakMB,
  };
}

export const mb = (bytes: number) => bytes / (1024 * 1024);

/** Samples this process's RSS (and optionally another process's, from /proc) every 100 ms. */
export class RssSampler {
  startMB = mb(process.memoryUsage().rss);
  peakMB = this.startMB;
  otherPeakMB: number | undefined;
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly otherPid?: number) {
    this.timer = setInterval(() => this.sample(), RSS_SAMPLE_MS);
    this.sample();
  }
  sample(): void {
    this.peakMB = Math.max(this.peakMB, mb(process.memoryUsage().rss));
    if (this.otherPid !== undefined) {
      const other = procRssMB(this.otherPid);
      if (other !== undefined) this.otherPeakMB = Math.max(this.otherPeakMB ?? 0, other);
    }
  }
  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}

/** VmRSS of a process in MB (Linux only). */
function procRssMB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The pid of our child `temporal…` process (the dev server or the cluster's server), found through /proc (Linux only). */
export function findTemporalServerPid(): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        // pid (comm) state ppid …  — comm may contain spaces, so split after the last ')'.
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === process.pid && comm.startsWith('temporal')) return Number(entry);
      } catch {
        // the process went away
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}

/** A progress line on stderr: rewritten in place on a terminal, every 25 % otherwise. */
export function progress(label: string, total: number) {
  let done = 0;
  let lastQuarter = 0;
  const tty = process.stderr.isTTY;
  return {
    tick() {
      done++;
      if (tty) process.stderr.write(`\r${label}: ${done}/${total}${done === total ? '\n' : ''}`);
      else if (Math.floor((done * 4) / total) > lastQuarter || done === total) {
        lastQuarter = Math.floor((done * 4) / total);
        process.stderr.write(`${label}: ${done}/${total}\n`);
      }
    },
  };
}

/** A line for the person running the benchmark, on stderr so `--json` output stays clean. */
export const note = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** Rounds for reports; non-finite values (no samples) stay as they are. */
export const round = (value: number, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);

/** `Stats` rounded to 0.01 ms. */
export const roundStats = (s: Stats) => ({
  count: s.count,
  mean: round(s.mean),
  p50: round(s.p50),
  p95: round(s.p95),
  p99: round(s.p99),
  max: round(s.max),
});

/** `RunResult` rounded, with the failures counted. */
export const roundAll = (r: RunResult) => ({
  wallMs: round(r.wallMs),
  throughput: round(r.throughput),
  latency: roundStats(r.latency),
  service: roundStats(r.service),
  failed: r.errors.length,
  rssStartMB: round(r.rssStartMB, 1),
  peakRssMB: round(r.peakRssMB, 1),
});
