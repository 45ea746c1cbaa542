/**
 * The Esper side of a relay process. No real Esper is configured yet, so it is always the in-process bus with the
 * Esper simulator answering on it, plus the ingresses that turn replies into signals to pipeline runs and
 * EmergencySignals into rollbacks.
 * Seam for the Redis slice: once Oona settings exist in the config (Redis URL, shared secret), build
 * `createOonaRedisTransport` here instead, and start the simulator only when asked to.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { EsperDeps } from '../activities/esper';
import { readKernelEntry } from '../activities/esper/urza-catalogue';
import type { StateStore } from '../activities/stores/state-store';
import { runBlueprintIngress } from '../client/esper/blueprint-ingress';
import { runRollbackIngress, type RollbackIngressOptions } from '../client/esper/rollback-ingress';
import { createInProcessTransport, type InProcessBusOptions } from '../client/esper/in-process-bus';
import { EsperSimulator, type EsperSimulatorOptions } from '../client/esper/simulator/simulator';
import type { EsperTransport } from '../contracts/esper/transport';

export interface EmbeddedEsperOptions {
  /** Signals the pipeline runs, starts and signals the rollbacks. */
  client: Client;
  /** Where the rollbacks the bus triggers run (the worker's task queue). */
  taskQueue: string;
  /** Overrides of the rollback deadlines for bus-triggered rollbacks (tests). */
  rollbackDeadlinesMs?: RollbackIngressOptions['deadlinesMs'];
  /** The activities' store: the ingress reads Urza's kernel entries from it. */
  store: StateStore;
  log?: Logger;
  /** Simulator settings (tests: a seed, short delays, failing or silent blueprints). */
  simulator?: Omit<EsperSimulatorOptions, 'transport' | 'signingSecret'>;
  bus?: Partial<InProcessBusOptions>;
  compileSlots?: number;
}

export interface EmbeddedEsper {
  /** What the activities need (`ActivityDeps.esper`). */
  deps: EsperDeps;
  transport: EsperTransport;
  simulator: EsperSimulator;
  /** Stops the ingress, then the simulator. */
  stop(): Promise<void>;
}

/** Starts the in-process bus, the simulator on it, and the pipeline and rollback ingresses. */
export function startEmbeddedEsper({
  client,
  taskQueue,
  rollbackDeadlinesMs,
  store,
  log,
  simulator: simulatorOptions,
  bus,
  compileSlots,
}: EmbeddedEsperOptions): EmbeddedEsper {
  // The bus lives and dies with this process, so a fresh secret per process is enough.
  const signingSecret = randomBytes(32).toString('hex');
  const busLog = log?.child({ component: 'esper-bus' });
  const transport = createInProcessTransport({
    secrets: [signingSecret],
    onError: (error, during) => busLog?.error({ err: error }, `Esper bus: ${during} failed`),
    onIncident: (incident) => busLog?.warn(incident, `Esper bus: ${incident.counter}`),
    ...bus,
  });
  const simulatorLog = log?.child({ component: 'esper-simulator' });
  const simulator = new EsperSimulator({
    transport,
    signingSecret,
    log: (line, fields) => simulatorLog?.info(fields ?? {}, line),
    ...simulatorOptions,
  });
  simulator.start();

  const ingressLog = log?.child({ component: 'esper-ingress' });
  const controller = new AbortController();
  const ingress = runBlueprintIngress(transport, {
    client,
    findKernelJob: async (kernelId) => (await readKernelEntry(store, kernelId))?.jobId,
    log: (line, fields) => ingressLog?.info(fields ?? {}, line),
    signal: controller.signal,
  }).catch((error: Error) => ingressLog?.error({ err: error }, 'the blueprint ingress stopped'));
  const rollbackIngress = runRollbackIngress(transport, {
    client,
    taskQueue,
    deadlinesMs: rollbackDeadlinesMs,
    log: (line, fields) => ingressLog?.info(fields ?? {}, line),
    signal: controller.signal,
  }).catch((error: Error) => ingressLog?.error({ err: error }, 'the rollback ingress stopped'));

  return {
    deps: { transport, signingSecret, compileSlots },
    transport,
    simulator,
    stop: async () => {
      controller.abort();
      await ingress;
      await rollbackIngress;
      await simulator.stop();
    },
  };
}
