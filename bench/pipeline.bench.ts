/**
 * Pipeline benchmark: N messages over M chats through the real relay (Temporal dev server, real worker, real
 * client, Claude double), side by side with the same five activity functions called directly in-process.
 *
 *   npm run bench -- --messages 200 --chats 20 [--json]
 *
 * Latency is measured per message from just before it is handed over (`submitMessage`, or the in-process queue
 * for the baseline) to the moment its reply is available to the caller (`awaitOutcome` resolving, or the end of
 * `deliverResponse`). A chat's messages arrive back to back, so latency includes waiting behind the chat's
 * earlier messages — in both runs, since chats are processed one message at a time in both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection } from '@temporalio/worker';
import { createActivities, type RelayActivities } from '../activities';
import { awaitOutcome, submitMessage } from '../client/ingress';
import { connectClient, temporalConnectionOptions } from '../client/connect';
import { loadConfig, type RelayConfig } from '../contracts/config';
import { parseInboundMessage, type InboundMessage } from '../contracts/message';
import { startClaudeDouble, type ClaudeDouble } from '../test/doubles/claude-double';
import { startDevServer, type DevServer } from '../workers/dev-server';
import { createLogger, installTemporalLogging } from '../workers/logger';
import { resolveTemporalBinary } from '../workers/temporal-binary';
import { openRelayStore, type OpenedStore } from '../workers/store';
import { buildActivityDeps, createRelayWorker, type RelayWorker } from '../workers/worker';

const WARMUP_MESSAGES = 10;
const OUTCOME_TIMEOUT_MS = 120_000;
const HARD_LIMIT_MS = 15 * 60_000;
const RSS_SAMPLE_MS = 100;

// ---------------------------------------------------------------------------------------------------- options

function parseOptions() {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '200' },
      chats: { type: 'string', default: '20' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('usage: npm run bench -- [--messages N (200)] [--chats M (20)] [--json]\n');
    process.exit(0);
  }
  const positive = (name: string, raw: string) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer; got "${raw}"`);
    return value;
  };
  const messages = positive('messages', values.messages);
  const chats = Math.min(positive('chats', values.chats), messages);
  return { messages, chats, json: values.json };
}

// ---------------------------------------------------------------------------------------------------- helpers

interface Sample {
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

interface Stats {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles. */
function stats(values: number[]): Stats {
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

interface RunResult {
  wallMs: number;
  throughput: number;
  latency: Stats;
  service: Stats;
  errors: string[];
  rssStartMB: number;
  peakRssMB: number;
}

function summarize(samples: Sample[], rss: RssSampler): RunResult {
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

const mb = (bytes: number) => bytes / (1024 * 1024);

/** Samples this process's RSS (and optionally another process's, from /proc) every 100 ms. */
class RssSampler {
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

/** The pid of our child `temporal` process (the dev server), found through /proc (Linux only). */
function findDevServerPid(): number | undefined {
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
function progress(label: string, total: number) {
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

const note = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** N messages spread round-robin over M chats; returns each chat's messages in arrival order. */
function makeWorkload(count: number, chats: number, chatBase: number, tag: string): InboundMessage[][] {
  const byChat: InboundMessage[][] = Array.from({ length: chats }, () => []);
  for (let i = 0; i < count; i++) {
    const chat = i % chats;
    byChat[chat]!.push(
      parseInboundMessage({
        channel: 'cli',
        chatId: String(chatBase + chat),
        userId: '7',
        messageId: `${tag}-${i}`,
        kind: 'text',
        text: `bench message ${i} (chat ${chat}): what is the weather like on the moon today?`,
        receivedAt: new Date().toISOString(),
      }),
    );
  }
  return byChat.filter((messages) => messages.length > 0);
}

const expectedReply = (message: InboundMessage) => `echo: ${message.text}`;

// ---------------------------------------------------------------------------------------------------- baseline

const activityLogger = new DefaultLogger('WARN');

/** Runs one activity function in its own mock activity context, as the worker gives each task its own. */
function inActivity<A extends unknown[], R>(name: string, timeoutMs: number, fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  const env = new MockActivityEnvironment(
    {
      activityType: name,
      activityId: name,
      startToCloseTimeoutMs: timeoutMs,
      heartbeatTimeoutMs: name === 'orchestrateAgent' ? 10_000 : undefined,
    },
    { logger: activityLogger },
  );
  return env.run(fn, ...args);
}

/** `messageWorkflow`'s steps, in process: the same functions, in the same order, with the same inputs. */
async function pipelineInProcess(activities: RelayActivities, message: InboundMessage): Promise<string> {
  const gate = await inActivity('securityGate', 10_000, activities.securityGate, message);
  let reply = gate.notice ?? '';
  if (gate.allowed) {
    const context = await inActivity('buildContext', 10_000, activities.buildContext, message);
    const plan = await inActivity('routeMessage', 10_000, activities.routeMessage, message);
    const answer = await inActivity('orchestrateAgent', 180_000, activities.orchestrateAgent, { message, gate, context, plan });
    reply = answer.text;
  }
  await inActivity('deliverResponse', 30_000, activities.deliverResponse, { message, text: reply });
  return reply;
}

async function runBaseline(activities: RelayActivities, workload: InboundMessage[][], label?: string): Promise<Sample[]> {
  const total = workload.reduce((sum, messages) => sum + messages.length, 0);
  const bar = label ? progress(label, total) : undefined;
  const samples: Sample[] = [];
  await Promise.all(
    workload.map(async (messages, chat) => {
      // The chat's messages all arrive now (the in-process equivalent of submitting them) and are then
      // processed one at a time, as the chat session workflow does.
      const arrivals = messages.map((message) => ({ message, t0: performance.now(), wall0: Date.now() }));
      for (const { message, t0, wall0 } of arrivals) {
        const started = performance.now();
        const sample: Sample = { chat, text: message.text!, t0, wall0, t1: NaN };
        try {
          const reply = await pipelineInProcess(activities, message);
          if (reply !== expectedReply(message)) sample.error = `unexpected reply for ${message.messageId}: ${reply.slice(0, 80)}`;
        } catch (error) {
          sample.error = `${message.messageId}: ${(error as Error).message}`;
        }
        sample.t1 = performance.now();
        sample.serviceMs = sample.t1 - started;
        samples.push(sample);
        bar?.tick();
      }
    }),
  );
  return samples;
}

// ---------------------------------------------------------------------------------------------------- temporal

async function runTemporal(client: Client, taskQueue: string, workload: InboundMessage[][], label?: string): Promise<Sample[]> {
  const total = workload.reduce((sum, messages) => sum + messages.length, 0);
  const bar = label ? progress(label, total) : undefined;
  const samples: Sample[] = [];
  await Promise.all(
    workload.map(async (messages, chat) => {
      // Each chat's messages are submitted back to back, in order (as a channel receives them); their
      // outcomes are awaited concurrently.
      const outcomes: Promise<void>[] = [];
      for (const message of messages) {
        const sample: Sample = { chat, text: message.text!, t0: performance.now(), wall0: Date.now(), t1: NaN };
        samples.push(sample);
        let workflowId: string;
        try {
          workflowId = await submitMessage(client, taskQueue, message);
        } catch (error) {
          sample.t1 = performance.now();
          sample.error = `submit ${message.messageId}: ${(error as Error).message}`;
          bar?.tick();
          continue;
        }
        sample.workflowId = workflowId;
        outcomes.push(
          awaitOutcome(client, workflowId, OUTCOME_TIMEOUT_MS).then(
            (outcome) => {
              sample.t1 = performance.now();
              if (outcome.outcome !== 'answered' || outcome.reply !== expectedReply(message)) {
                sample.error = `unexpected outcome for ${workflowId}: ${outcome.outcome} ${outcome.reply.slice(0, 80)}`;
              }
              bar?.tick();
            },
            (error: unknown) => {
              sample.t1 = performance.now();
              sample.error = `${workflowId}: ${(error as Error).message}`;
              bar?.tick();
            },
          ),
        );
      }
      await Promise.all(outcomes);
    }),
  );
  return samples;
}

/** Reads each message workflow's start and close time from the server (after the run, so it costs it nothing). */
async function addServerTimes(client: Client, samples: Sample[]): Promise<void> {
  const queue = samples.filter((s) => s.workflowId && !s.error);
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let sample = queue.shift(); sample; sample = queue.shift()) {
        const description = await client.workflow.getHandle(sample.workflowId!).describe();
        if (description.closeTime) {
          sample.closeWall = description.closeTime.getTime();
          sample.serviceMs = description.closeTime.getTime() - description.startTime.getTime();
        }
      }
    }),
  );
}

// ---------------------------------------------------------------------------------------------------- main

interface Resources {
  stores: OpenedStore[];
  double?: ClaudeDouble;
  devServer?: DevServer;
  connection?: NativeConnection;
  client?: Client;
  worker?: RelayWorker;
  running?: Promise<void>;
  guardian?: ChildProcess;
  dirs: string[];
}

/**
 * A detached shell that outlives this process: should the bench die without cleaning up (SIGKILL — which tsx
 * sends when an interrupted child is too busy to acknowledge the signal within 30 ms), it stops the dev server
 * (whose pid the bench writes to `<dir>/devserver.pid`) and removes the temporary directory.
 */
function startGuardian(dir: string): ChildProcess | undefined {
  if (process.platform === 'win32') return undefined;
  const quoted = `'${dir.replace(/'/g, `'\\''`)}'`;
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done`,
    `if [ -f ${quoted}/devserver.pid ]; then pid=$(cat ${quoted}/devserver.pid); grep -q start-dev /proc/$pid/cmdline 2>/dev/null && kill $pid; fi`,
    `rm -rf ${quoted}`,
  ].join('\n');
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
  return child;
}

async function cleanup(resources: Resources): Promise<void> {
  const attempt = async (what: string, step: () => Promise<unknown> | unknown) => {
    try {
      await step();
    } catch (error) {
      note(`cleanup of ${what} failed: ${(error as Error).message}`);
    }
  };
  if (resources.worker) {
    const { worker, running } = resources;
    resources.worker = undefined;
    await attempt('worker', async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
  }
  if (resources.client) await attempt('client', () => resources.client!.connection.close());
  resources.client = undefined;
  if (resources.connection) await attempt('worker connection', () => resources.connection!.close());
  resources.connection = undefined;
  if (resources.devServer) await attempt('dev server', () => resources.devServer!.stop());
  resources.devServer = undefined;
  if (resources.double) await attempt('Claude double', () => resources.double!.close());
  resources.double = undefined;
  for (const opened of resources.stores.splice(0)) await attempt('store', () => opened.close());
  for (const dir of resources.dirs.splice(0)) await attempt(dir, () => rmSync(dir, { recursive: true, force: true }));
  if (resources.guardian?.pid !== undefined && resources.guardian.exitCode === null)
    await attempt('guardian', () => resources.guardian!.kill());
  resources.guardian = undefined;
}

async function main(): Promise<number> {
  const options = parseOptions();
  const began = performance.now();
  const resources: Resources = { dirs: [], stores: [] };

  let finishing = false;
  const abort = (why: string) => {
    if (finishing) return;
    finishing = true;
    note(`${why}; cleaning up`);
    const hardExit = setTimeout(() => process.exit(1), 30_000);
    hardExit.unref();
    void cleanup(resources).finally(() => process.exit(1));
  };
  const watchdog = setTimeout(() => abort(`exceeded ${HARD_LIMIT_MS / 60_000} minutes`), HARD_LIMIT_MS);
  watchdog.unref();
  process.once('SIGINT', () => abort('interrupted'));
  process.once('SIGTERM', () => abort('terminated'));

  try {
    installTemporalLogging(createLogger({ logLevel: 'warn' }, 'bench'));
    const root = mkdtempSync(path.join(os.tmpdir(), 'relay-bench-'));
    resources.dirs.push(root);
    resources.guardian = startGuardian(root);
    const double = (resources.double = await startClaudeDouble({ latencyMs: 0 }));
    const configFor = (dataDir: string, address = '127.0.0.1:7233') =>
      loadConfig(
        {
          TEMPORAL_ADDRESS: address,
          TEMPORAL_TASK_QUEUE: 'bench',
          RELAY_DATA_DIR: dataDir,
          ANTHROPIC_API_KEY: 'bench-key',
          ANTHROPIC_BASE_URL: double.url,
          RELAY_RATE_LIMIT: 'off',
          RELAY_LOG_LEVEL: 'warn',
        },
        '/nonexistent/.env',
      );
    const tmp = (name: string) => {
      const dir = path.join(root, name);
      mkdirSync(dir);
      return dir;
    };

    // ---- baseline: the five activities in process, no Temporal process running yet.
    const baselineConfig: RelayConfig = configFor(tmp('baseline'));
    const baselineStore = await openRelayStore(baselineConfig);
    resources.stores.push(baselineStore);
    const activities = createActivities(buildActivityDeps(baselineConfig, baselineStore.store));
    note('baseline: warming up');
    await runBaseline(activities, makeWorkload(WARMUP_MESSAGES, Math.min(options.chats, WARMUP_MESSAGES), 900_000, 'warm'));
    const baselineRequestsBefore = double.requests.length;
    const baselineRss = new RssSampler();
    const baselineSamples = await runBaseline(activities, makeWorkload(options.messages, options.chats, 1_000, 'b'), 'baseline');
    baselineRss.stop();
    const baseline = summarize(baselineSamples, baselineRss);
    const claudeCallsBaseline = double.requests.length - baselineRequestsBefore;

    // ---- Temporal: dev server, worker, client.
    note('temporal: starting the dev server and the worker');
    const setupStart = performance.now();
    const binary = await resolveTemporalBinary({
      explicitPath: process.env.TEMPORAL_BINARY || undefined,
      searchPath: process.env.PATH ?? '',
      log: note,
    });
    const devServer = (resources.devServer = await startDevServer({ binary, namespace: 'default', port: 0, uiPort: false }));
    const devServerMs = performance.now() - setupStart;
    const devServerPid = findDevServerPid();
    if (devServerPid !== undefined) writeFileSync(path.join(root, 'devserver.pid'), String(devServerPid));
    const config = configFor(tmp('temporal'), devServer.address);
    const connection = (resources.connection = await NativeConnection.connect(temporalConnectionOptions(config)));
    const workerStart = performance.now();
    const temporalStore = await openRelayStore(config);
    resources.stores.push(temporalStore);
    const worker = (resources.worker = await createRelayWorker(config, { connection, store: temporalStore.store }));
    const workerMs = performance.now() - workerStart; // mostly bundling the workflows
    resources.running = worker.run();
    resources.running.catch((error: unknown) => abort(`the worker failed: ${(error as Error).message}`));
    const client = (resources.client = await connectClient(config));

    note('temporal: warming up');
    const warm = await runTemporal(
      client,
      config.temporal.taskQueue,
      makeWorkload(WARMUP_MESSAGES, Math.min(options.chats, WARMUP_MESSAGES), 900_000, 'warm'),
    );
    const warmErrors = warm.filter((s) => s.error);
    if (warmErrors.length > 0) throw new Error(`warm-up failed: ${warmErrors[0]!.error}`);

    const requestsBefore = double.requests.length;
    const temporalRss = new RssSampler(devServerPid);
    const temporalSamples = await runTemporal(
      client,
      config.temporal.taskQueue,
      makeWorkload(options.messages, options.chats, 1_000, 't'),
      'temporal',
    );
    temporalRss.stop();
    const claudeCallsTemporal = double.requests.length - requestsBefore;
    await addServerTimes(client, temporalSamples);
    const temporal = summarize(temporalSamples, temporalRss);

    // The same run measured to the server's close time, without awaitOutcome's 100 ms not-found polling.
    const closed = temporalSamples.filter((s) => !s.error && s.closeWall !== undefined);
    const closeLatency = stats(closed.map((s) => s.closeWall! - s.wall0));
    const closeWallMs = Math.max(...closed.map((s) => s.closeWall!)) - Math.min(...temporalSamples.map((s) => s.wall0));

    await cleanup(resources);
    clearTimeout(watchdog);

    const report = {
      machine: {
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim(),
        platform: `${os.platform()} ${os.release()}`,
        totalMemMB: Math.round(mb(os.totalmem())),
      },
      params: { messages: options.messages, chats: options.chats, warmupMessages: WARMUP_MESSAGES, claudeLatencyMs: 0 },
      setup: { devServerMs: round(devServerMs), workerCreateMs: round(workerMs) },
      temporal: {
        ...roundAll(temporal),
        claudeCalls: claudeCallsTemporal,
        devServerPeakRssMB: temporalRss.otherPeakMB === undefined ? undefined : round(temporalRss.otherPeakMB),
        serverClose: {
          wallMs: round(closeWallMs),
          throughput: round(closed.length / (closeWallMs / 1000)),
          latency: roundStats(closeLatency),
        },
      },
      baseline: { ...roundAll(baseline), claudeCalls: claudeCallsBaseline },
      ratios: {
        p50LatencyTemporalOverBaseline: round(temporal.latency.p50 / baseline.latency.p50),
        throughputBaselineOverTemporal: round(baseline.throughput / temporal.throughput),
        p50ServiceTemporalOverBaseline: round(temporal.service.p50 / baseline.service.p50),
      },
      totalMs: round(performance.now() - began),
    };

    if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else process.stdout.write(renderTable(report));

    const errors = [...temporal.errors, ...baseline.errors];
    if (errors.length > 0) {
      note(`${errors.length} message(s) failed; first: ${errors[0]}`);
      return 1;
    }
    return 0;
  } catch (error) {
    note(`failed: ${(error as Error).stack ?? error}`);
    await cleanup(resources);
    return 1;
  }
}

const round = (value: number, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);
const roundStats = (s: Stats) => ({
  count: s.count,
  mean: round(s.mean),
  p50: round(s.p50),
  p95: round(s.p95),
  p99: round(s.p99),
  max: round(s.max),
});
const roundAll = (r: RunResult) => ({
  wallMs: round(r.wallMs),
  throughput: round(r.throughput),
  latency: roundStats(r.latency),
  service: roundStats(r.service),
  failed: r.errors.length,
  rssStartMB: round(r.rssStartMB, 1),
  peakRssMB: round(r.peakRssMB, 1),
});

type Report = {
  machine: { node: string; cpus: number; cpuModel?: string; platform: string; totalMemMB: number };
  params: { messages: number; chats: number; warmupMessages: number };
  setup: { devServerMs: number; workerCreateMs: number };
  temporal: ReturnType<typeof roundAll> & {
    devServerPeakRssMB?: number;
    serverClose: { wallMs: number; throughput: number; latency: ReturnType<typeof roundStats> };
  };
  baseline: ReturnType<typeof roundAll>;
  ratios: { p50LatencyTemporalOverBaseline: number; throughputBaselineOverTemporal: number; p50ServiceTemporalOverBaseline: number };
  totalMs: number;
};

function renderTable(r: Report): string {
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
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    "latency: hand-over → reply available (temporal: submitMessage → awaitOutcome resolves; includes waiting behind the chat's earlier messages).",
    'per-message pipeline: temporal = messageWorkflow start → close on the server; in-process = the five activities of that message.',
    `temporal measured to the server's close time instead (no awaitOutcome polling): p50 ${fmt(close.latency.p50)} / p95 ${fmt(close.latency.p95)} / p99 ${fmt(close.latency.p99)} / max ${fmt(close.latency.max)} ms, ${fmt(close.throughput)} msg/s`,
    `peak RSS of the Temporal dev server process during the run: ${fmt(r.temporal.devServerPeakRssMB)} MB; bench process RSS at start of each run: temporal ${fmt(r.temporal.rssStartMB)} MB, in-process ${fmt(r.baseline.rssStartMB)} MB`,
    `setup: dev server ${fmt(r.setup.devServerMs / 1000, 2)} s, worker creation (workflow bundle) ${fmt(r.setup.workerCreateMs / 1000, 2)} s; whole benchmark ${fmt(r.totalMs / 1000, 1)} s`,
    '',
  ].join('\n');
}

void main().then((code) => process.exit(code));
