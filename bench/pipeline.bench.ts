/**
 * Pipeline benchmark: N messages over M chats through the real relay (a Temporal server, real workers, real
 * client, Claude double), side by side with the same five activity functions called directly in-process.
 *
 *   npm run bench -- --messages 200 --chats 20 [--server dev|cluster | --address HOST:PORT] [--store embedded|postgres]
 *                    [--workers N] [--json]
 *   npm run bench -- --compare-workers [--server cluster] [--rounds R]   (see compare-workers.ts)
 *
 * Latency is measured per message from just before it is handed over (`submitMessage`, or the in-process queue
 * for the baseline) to the moment its reply is available to the caller (`awaitOutcome` resolving, or the end of
 * `deliverResponse`). A chat's messages arrive back to back, so latency includes waiting behind the chat's
 * earlier messages — in both runs, since chats are processed one message at a time in both.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createActivities } from '../activities';
import { connectClient } from '../workers/connect';
import { startClaudeDouble } from '../doubles/claude-double';
import { LOCAL_POSTGRES } from '../workers/local-postgres';
import { createLogger, installTemporalLogging } from '../workers/logger';
import { openRelayStore } from '../workers/store';
import { buildActivityDeps } from '../workers/worker';
import { BenchCleanup } from './bench-cleanup';
import { subdir, type BenchContext } from './bench-context';
import { startBenchServer } from './bench-server';
import { createStoreDatabase, generateEncryptionKeys, relayConfig, startBenchWorkers, type RelaySetup } from './bench-workers';
import { runWorkerComparison } from './compare-workers';
import { parsePipelineOptions, type PipelineOptions } from './pipeline-options';
import { renderTable, type Report } from './pipeline-report';
import { ChatIds, makeWorkload, measureTemporal, runBaseline } from './pipeline-runs';
import { mb, note, round, roundAll, roundStats, RssSampler, summarize } from './pipeline-stats';

const WARMUP_MESSAGES = 10;
/** Per run (a comparison round counts as one). */
const HARD_LIMIT_MS = 15 * 60_000;

/** One run as `npm run bench` always did it — the in-process baseline, then Temporal — on the chosen server, store and workers. */
async function runPipelineBench(context: BenchContext): Promise<number> {
  const { options, cleanup } = context;
  const began = performance.now();
  const databaseUrl = options.store === 'postgres' ? (await createStoreDatabase(cleanup)).url : undefined;
  const setup = (address: string): RelaySetup => ({
    address,
    namespace: options.namespace,
    taskQueue: 'bench',
    claudeUrl: context.claudeUrl,
    encryptionKeys: context.encryptionKeys,
    databaseUrl,
  });

  // ---- baseline: the five activities in process, no Temporal process running yet.
  const baselineConfig = relayConfig(setup('127.0.0.1:7233'), subdir(context, 'baseline'));
  const baselineStore = await openRelayStore(baselineConfig);
  let baselineStoreClosed: Promise<void> | undefined;
  const closeBaselineStore = () => (baselineStoreClosed ??= baselineStore.close());
  cleanup.add('baseline store', closeBaselineStore);
  const activities = createActivities(buildActivityDeps(baselineConfig, baselineStore.store));
  note('baseline: warming up');
  await runBaseline(activities, makeWorkload(WARMUP_MESSAGES, Math.min(options.chats, WARMUP_MESSAGES), ...context.chats.next()));
  const baselineRequestsBefore = context.claudeRequests();
  const baselineRss = new RssSampler();
  const baselineSamples = await runBaseline(activities, makeWorkload(options.messages, options.chats, ...context.chats.next()), 'baseline');
  baselineRss.stop();
  const baseline = summarize(baselineSamples, baselineRss);
  const claudeCallsBaseline = context.claudeRequests() - baselineRequestsBefore;
  await closeBaselineStore();

  // ---- Temporal: server, workers, client.
  const server = await startBenchServer(options.server, options.namespace, cleanup);
  const relay = setup(server.address);
  const workers = await startBenchWorkers(options.workers, relay, subdir(context, 'workers'), cleanup, context.fail);
  const client = await connectClient(relayConfig(relay, subdir(context, 'client')));
  cleanup.add('client', () => client.connection.close());

  note('temporal: warming up and measuring');
  let requestsBefore = 0;
  const load = { messages: options.messages, chats: options.chats, warmup: WARMUP_MESSAGES };
  const measured = await measureTemporal(client, relay.taskQueue, load, context.chats, 'temporal', {
    serverPid: server.pid,
    beforeMeasuring: () => (requestsBefore = context.claudeRequests()),
  });
  const claudeCallsTemporal = context.claudeRequests() - requestsBefore;
  const temporal = measured.result;
  await workers.stop();

  const report: Report = {
    machine: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim(),
      platform: `${os.platform()} ${os.release()}`,
      totalMemMB: Math.round(mb(os.totalmem())),
    },
    params: {
      messages: options.messages,
      chats: options.chats,
      warmupMessages: WARMUP_MESSAGES,
      server: server.description,
      store: options.store,
      workers: options.workers === 0 ? 'the worker in the bench process' : `${options.workers} relay worker process(es)`,
    },
    setup: { serverStartMs: round(server.startMs), workerStartMs: round(workers.startMs) },
    temporal: {
      ...roundAll(temporal),
      claudeCalls: claudeCallsTemporal,
      serverPeakRssMB: measured.rss.otherPeakMB === undefined ? undefined : round(measured.rss.otherPeakMB),
      serverClose: {
        wallMs: round(measured.serverClose.wallMs),
        throughput: round(measured.serverClose.throughput),
        latency: roundStats(measured.serverClose.latency),
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
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : renderTable(report));

  const errors = [...temporal.errors, ...baseline.errors];
  if (errors.length > 0) note(`${errors.length} message(s) failed; first: ${errors[0]}`);
  return errors.length > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  let options: PipelineOptions;
  try {
    options = parsePipelineOptions();
  } catch (error) {
    note((error as Error).message);
    return 2;
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'relay-bench-'));
  const cleanup = new BenchCleanup(root, LOCAL_POSTGRES);

  let finishing = false;
  const abort = (why: string) => {
    if (finishing) return;
    finishing = true;
    note(`${why}; cleaning up`);
    // Requests still in flight fail as their connections close; one failing in a timer must not end the cleanup.
    process.on('uncaughtException', (error) => note(`ignored while cleaning up: ${error.message}`));
    const hardExit = setTimeout(() => process.exit(1), 60_000);
    hardExit.unref();
    void cleanup.run().finally(() => process.exit(1));
  };
  const limitMs = HARD_LIMIT_MS * (options.compareRounds ?? 1);
  const watchdog = setTimeout(() => abort(`exceeded ${limitMs / 60_000} minutes`), limitMs);
  watchdog.unref();
  process.once('SIGINT', () => abort('interrupted'));
  process.once('SIGTERM', () => abort('terminated'));

  try {
    installTemporalLogging(createLogger({ logLevel: 'warn' }, 'bench'));
    const double = await startClaudeDouble({ latencyMs: 0 });
    cleanup.add('Claude double', () => double.close());
    const context: BenchContext = {
      options,
      cleanup,
      root,
      claudeUrl: double.url,
      claudeRequests: () => double.requests.length,
      encryptionKeys: generateEncryptionKeys(),
      chats: new ChatIds(),
      warmup: WARMUP_MESSAGES,
      fail: (error) => abort(`a worker failed: ${error.message}`),
    };
    const code = options.compareRounds === undefined ? await runPipelineBench(context) : await runWorkerComparison(context);
    await cleanup.run();
    clearTimeout(watchdog);
    return code;
  } catch (error) {
    if (finishing) return new Promise<number>(() => undefined); // abort() is cleaning up and exits
    note(`failed: ${(error as Error).stack ?? error}`);
    await cleanup.run();
    return 1;
  }
}

void main().then((code) => process.exit(code));
