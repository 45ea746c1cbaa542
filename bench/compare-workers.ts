/**
 * `npm run bench -- --compare-workers`: on one Temporal server, the same workload through four relays — the
 * in-process worker on the embedded store and on PostgreSQL (the store's own cost), then 1 and 2 `relay worker`
 * processes on PostgreSQL (scale-out) — `--rounds` times, interleaved so a slow spell of a shared machine hits all
 * four alike. Each run gets a fresh store, task queue and chats; the table shows medians over the rounds.
 */
import { subdir, type BenchContext } from './bench-context';
import { startBenchServer } from './bench-server';
import { createStoreDatabase, relayConfig, startBenchWorkers, type RelaySetup, type StoreKind } from './bench-workers';
import { connectClient } from '../workers/connect';
import { measureTemporal } from './pipeline-runs';
import { note, round } from './pipeline-stats';

interface Variant {
  name: string;
  store: StoreKind;
  /** 0 = the worker in the benchmark process. */
  workers: number;
}

const VARIANTS: Variant[] = [
  { name: 'in-process worker, embedded store', store: 'embedded', workers: 0 },
  { name: 'in-process worker, postgres store', store: 'postgres', workers: 0 },
  { name: '1 worker process, postgres store', store: 'postgres', workers: 1 },
  { name: '2 worker processes, postgres store', store: 'postgres', workers: 2 },
];

/** One variant's figures in one round. */
interface RoundFigures {
  throughput: number;
  serviceP50: number;
  latencyP50: number;
  latencyP95: number;
  workerStartMs: number;
  failed: number;
}

/** Runs the comparison and prints it (a table, or JSON with every round); 1 if any message failed. */
export async function runWorkerComparison(context: BenchContext): Promise<number> {
  const { options, cleanup } = context;
  const rounds = options.compareRounds ?? 1;
  const server = await startBenchServer(options.server, options.namespace, cleanup);
  const base: RelaySetup = {
    address: server.address,
    namespace: options.namespace,
    taskQueue: 'bench',
    claudeUrl: context.claudeUrl,
    encryptionKeys: context.encryptionKeys,
  };
  const client = await connectClient(relayConfig(base, subdir(context, 'client')));
  cleanup.add('client', () => client.connection.close());

  const figures = new Map<string, RoundFigures[]>(VARIANTS.map((variant) => [variant.name, []]));
  const errors: string[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const [index, variant] of VARIANTS.entries()) {
      const label = `round ${round}/${rounds}: ${variant.name}`;
      note(label);
      const database = variant.store === 'postgres' ? await createStoreDatabase(cleanup) : undefined;
      const setup = { ...base, taskQueue: `bench-${index + 1}-${round}`, databaseUrl: database?.url };
      const workers = await startBenchWorkers(variant.workers, setup, subdir(context, `r${round}-v${index + 1}`), cleanup, context.fail);
      const load = { messages: options.messages, chats: options.chats, warmup: context.warmup };
      const measured = await measureTemporal(client, setup.taskQueue, load, context.chats, label);
      await workers.stop();
      await database?.drop();
      const { result } = measured;
      errors.push(...result.errors);
      figures.get(variant.name)!.push({
        throughput: result.throughput,
        serviceP50: result.service.p50,
        latencyP50: result.latency.p50,
        latencyP95: result.latency.p95,
        workerStartMs: workers.startMs,
        failed: result.errors.length,
      });
    }
  }

  const medians = VARIANTS.map((variant) => ({ variant, median: medianFigures(figures.get(variant.name)!) }));
  if (options.json) {
    const rows = medians.map(({ variant, median }) => ({
      ...variant,
      median: roundFigures(median),
      rounds: figures.get(variant.name)!.map(roundFigures),
    }));
    process.stdout.write(
      `${JSON.stringify({ server: server.description, messages: options.messages, chats: options.chats, rounds, variants: rows })}\n`,
    );
  } else {
    process.stdout.write(
      renderComparison(medians, { server: server.description, messages: options.messages, chats: options.chats, rounds }),
    );
  }
  if (errors.length > 0) note(`${errors.length} message(s) failed; first: ${errors[0]}`);
  return errors.length > 0 ? 1 : 0;
}

function medianFigures(rounds: RoundFigures[]): RoundFigures {
  const median = (pick: (figures: RoundFigures) => number) => {
    const sorted = rounds.map(pick).sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  return {
    throughput: median((f) => f.throughput),
    serviceP50: median((f) => f.serviceP50),
    latencyP50: median((f) => f.latencyP50),
    latencyP95: median((f) => f.latencyP95),
    workerStartMs: median((f) => f.workerStartMs),
    failed: rounds.reduce((sum, f) => sum + f.failed, 0),
  };
}

const roundFigures = (f: RoundFigures): RoundFigures => ({
  throughput: round(f.throughput),
  serviceP50: round(f.serviceP50),
  latencyP50: round(f.latencyP50),
  latencyP95: round(f.latencyP95),
  workerStartMs: round(f.workerStartMs),
  failed: f.failed,
});

function renderComparison(
  medians: { variant: Variant; median: RoundFigures }[],
  params: { server: string; messages: number; chats: number; rounds: number },
): string {
  const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '—');
  const head = ['', 'msg/s', 'pipeline p50 (ms)', 'latency p50 (ms)', 'latency p95 (ms)', 'workers ready (s)', 'failed'];
  const rows = medians.map(({ variant, median: m }) => [
    variant.name,
    fmt(m.throughput),
    fmt(m.serviceP50),
    fmt(m.latencyP50),
    fmt(m.latencyP95),
    fmt(m.workerStartMs / 1000),
    String(m.failed),
  ]);
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   ');
  const [embedded, postgres, one, two] = medians.map(({ median }) => median) as [RoundFigures, RoundFigures, RoundFigures, RoundFigures];
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');
  return [
    `esper-relay worker comparison — ${params.server}, N=${params.messages} messages over M=${params.chats} chats, Claude double 0 ms, medians of ${params.rounds} round(s)`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `2 vs 1 worker processes: throughput ${ratio(two.throughput, one.throughput)}, pipeline p50 ${ratio(two.serviceP50, one.serviceP50)}`,
    `1 worker process vs the in-process worker (both postgres): throughput ${ratio(one.throughput, postgres.throughput)}, pipeline p50 ${ratio(one.serviceP50, postgres.serviceP50)}`,
    `the store's own cost (in-process worker, postgres vs embedded): throughput ${ratio(postgres.throughput, embedded.throughput)}, pipeline p50 ${ratio(postgres.serviceP50, embedded.serviceP50)}`,
    'pipeline p50: messageWorkflow start → close on the server; latency: submitMessage → awaitOutcome (includes waiting behind the chat).',
    '',
  ].join('\n');
}
