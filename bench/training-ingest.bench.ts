/**
 * Bus → Temporal ingestion throughput of the training-run entities: state and telemetry packets published on the
 * in-process bus as fast as possible, through the training ingress (signal-with-start per packet) into the runs'
 * `trainingRunWorkflow`s, until every run's status query shows all its packets taken. Own Temporal dev server, real
 * worker, no simulator (the packets are made here, as Tolaria would send them).
 *
 *   npx tsx bench/training-ingest.bench.ts [--packets 500] [--runs 1] [--json]
 *
 * "published" is how long the publishing took (the bus accepts without waiting for Temporal); "ingested" runs from
 * the first publish until the last run's status shows its last packet. The baseline, measured first on a second
 * in-process bus, is the same packets through the same consumer loop with a handler that only acknowledges: what
 * the bus costs without Temporal, so the ratio is Temporal's share.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createInProcessTransport } from '../bus/in-process-bus';
import { queryTrainingRun } from '../client/esper/running-runs';
import { sealEsperMessage } from '../contracts/esper/envelope-signing';
import type { EsperMessage } from '../contracts/esper/registry';
import { oonaStreams, streamFor, type EsperTransport } from '../contracts/esper/transport';
import { note, startBenchRelay } from './bench-relay';
import { initialSnapshot, simulateEpoch, type TrainingModelSettings } from '../simulator/training-model';

const { values } = parseArgs({
  options: { packets: { type: 'string', default: '500' }, runs: { type: 'string', default: '1' }, json: { type: 'boolean' } },
});
const packets = Number(values.packets);
const runs = Number(values.runs);
if (!Number.isInteger(packets) || packets < 2) throw new Error(`--packets must be an integer ≥ 2; got "${values.packets}"`);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer; got "${values.runs}"`);

/** Each run's packets: one state and one telemetry packet per epoch, from the simulator's model. */
function packetsOf(runId: string, epochs: number): EsperMessage[] {
  const model: TrainingModelSettings = { runId, seed: 1, seedSlots: 4, stepsPerEpoch: 390, embargoEpochs: 30, latencySpikesAt: [] };
  let snapshot = initialSnapshot(model);
  const messages: EsperMessage[] = [];
  for (let i = 0; i < epochs; i += 1) {
    const result = simulateEpoch(snapshot, model, { conservative: false, restores: 0, capturedAt: new Date().toISOString() });
    snapshot = result.snapshot;
    messages.push({ kind: 'system-state', message: result.state }, { kind: 'telemetry', message: result.telemetry });
  }
  return messages;
}

/** Publishes every packet, signed, in order; resolves with the milliseconds it took. */
async function publishAll(transport: EsperTransport, secret: string, messages: EsperMessage[]): Promise<number> {
  const start = performance.now();
  for (const [index, message] of messages.entries()) {
    const envelope = sealEsperMessage(
      { kind: message.kind, payload: message.message, id: `bench-${index}`, origin: 'tolaria', sentAt: new Date() },
      secret,
    );
    await transport.publish(streamFor(message), envelope);
  }
  return performance.now() - start;
}

/** The same packets through the same consumer loop, acknowledged without doing anything: the bus alone. */
async function baselineMs(messages: EsperMessage[]): Promise<number> {
  const secret = randomBytes(32).toString('hex');
  const transport = createInProcessTransport({ secrets: [secret], blockMs: 1_000 });
  const controller = new AbortController();
  let handled = 0;
  let done!: () => void;
  const allHandled = new Promise<void>((resolve) => (done = resolve));
  const consuming = transport.consume({
    streams: [oonaStreams.normal, oonaStreams.telemetry],
    group: 'bench-baseline',
    consumer: 'bench-1',
    handler: async () => {
      handled += 1;
      if (handled === messages.length) done();
    },
    signal: controller.signal,
  });
  const start = performance.now();
  await publishAll(transport, secret, messages);
  await allHandled;
  const elapsed = performance.now() - start;
  controller.abort();
  await consuming;
  return elapsed;
}

async function main() {
  const relay = await startBenchRelay('training-bench', { runSimulator: false, bus: { blockMs: 1_000 } });
  const { client, esper } = relay;

  const runIds = Array.from({ length: runs }, (_, i) => `bench-run-${i}`);
  const perRun = Math.floor(packets / runs / 2);
  const batches = runIds.map((runId) => packetsOf(runId, perRun));
  // Interleaved, as several Tolarias publishing at once would be.
  const all = Array.from({ length: perRun * 2 }, (_, i) => batches.map((batch) => batch[i]!)).flat();
  try {
    note(`baseline: ${all.length} packets through the bus alone`);
    const baseline = await baselineMs(all);
    note(`publishing ${all.length} packets for ${runs} run(s)`);
    const start = performance.now();
    const published = await publishAll(esper.transport, esper.deps.signingSecret, all);
    for (const runId of runIds) {
      for (;;) {
        const taken = await queryTrainingRun(client, runId).then(
          (s) => s.packetsTaken,
          () => 0,
        );
        if (taken >= perRun * 2) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const ingested = performance.now() - start;
    const result = {
      packets: all.length,
      runs,
      publishedMs: Math.round(published),
      ingestedMs: Math.round(ingested),
      eventsPerSecond: Math.round((all.length / ingested) * 1000),
      baselineMs: Math.round(baseline),
      baselineEventsPerSecond: Math.round((all.length / baseline) * 1000),
    };
    if (values.json) console.log(JSON.stringify(result));
    else
      console.log(
        [
          `${result.packets} packets into ${runs} run(s): published in ${result.publishedMs} ms, ingested in ${result.ingestedMs} ms → ${result.eventsPerSecond} events/s`,
          `bus alone (ack only): ${result.baselineMs} ms → ${result.baselineEventsPerSecond} events/s; Temporal ingestion is ${(ingested / baseline).toFixed(1)}× slower`,
        ].join('\n'),
      );
  } finally {
    await relay.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
