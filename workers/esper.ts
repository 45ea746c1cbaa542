/**
 * The Esper side of a relay process: the bus (Oona on Redis when ESPER_REDIS_URL is set, else the in-process
 * bus), the Esper simulator when this process plays Esper's side too, and the ingresses that turn replies into
 * signals to pipeline runs and EmergencySignals into rollbacks.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import type { EsperDeps } from '../activities/esper';
import { readKernelEntry } from '../activities/esper/urza-catalogue';
import type { StateStore } from '../stores/state-store';
import { runBlueprintIngress } from '../client/esper/blueprint-ingress';
import { startEsperHealth } from '../client/esper/health-client';
import { runHealthIngress } from '../client/esper/health-ingress';
import { runRollbackIngress, type RollbackIngressOptions } from '../client/esper/rollback-ingress';
import { runTrainingIngress } from '../client/esper/training-ingress';
import type { TransportOptions } from '../bus/consumer-settings';
import { createInProcessTransport, type InProcessBusOptions } from '../bus/in-process-bus';
import { createOonaRedisTransport } from '../bus/oona-redis';
import { EsperSimulator, type EsperSimulatorOptions } from '../simulator/simulator';
import type { EsperBusConfig } from '../contracts/esper/config';
import type { EsperHealthOptions } from '../contracts/esper/health';
import type { EsperTransport } from '../contracts/esper/transport';
import type { TrainingRunSettings } from '../contracts/esper/training-run';

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
  /** Which bus (default: the in-process one). */
  busConfig?: EsperBusConfig;
  /** Whether this process also plays Esper's side with the simulator (default: yes). */
  runSimulator?: boolean;
  /**
   * Simulator settings (tests: a seed, short delays, failing or silent blueprints). Absent (as `relay up` runs it):
   * the defaults plus one simulated training run, training until stopped.
   */
  simulator?: Omit<EsperSimulatorOptions, 'transport' | 'signingSecret'>;
  bus?: Partial<InProcessBusOptions>;
  compileSlots?: number;
  /** How long `/rollback` waits for a Confirm press (default 60 s). */
  rollbackConfirmationMs?: number;
  /** Settings of the training-run entities the bus starts (tests shrink the continue-as-new threshold). */
  trainingRuns?: Partial<TrainingRunSettings>;
  /** Circuit breaker settings of the health registry (tests shorten them; default 3 failures, 30 s, 30 s). */
  health?: EsperHealthOptions;
}

export interface EmbeddedEsper {
  /** What the activities need (`ActivityDeps.esper`). */
  deps: EsperDeps;
  transport: EsperTransport;
  /** Absent when a real Esper answers (or another process runs `relay esper-sim`). */
  simulator?: EsperSimulator;
  /** Stops the ingresses, then the simulator, then the bus connection. */
  stop(): Promise<void>;
}

/** Starts the bus, the simulator on it (unless told not to), and the pipeline and rollback ingresses. */
export function startEmbeddedEsper({
  client,
  taskQueue,
  rollbackDeadlinesMs,
  store,
  log,
  busConfig = { kind: 'in-process' },
  runSimulator = true,
  simulator: simulatorOptions = { trainingRun: {} },
  bus,
  compileSlots,
  rollbackConfirmationMs,
  health,
  trainingRuns,
}: EmbeddedEsperOptions): EmbeddedEsper {
  const busLog = log?.child({ component: 'esper-bus' });
  const { transport, signingSecret, close } = openEsperBus(busConfig, {
    onError: (error, during) => busLog?.error({ err: error }, `Esper bus: ${during} failed`),
    onIncident: (incident) => busLog?.warn(incident, `Esper bus: ${incident.counter}`),
    ...bus,
  });
  let simulator: EsperSimulator | undefined;
  if (runSimulator) {
    const simulatorLog = log?.child({ component: 'esper-simulator' });
    simulator = new EsperSimulator({
      transport,
      signingSecret,
      log: (line, fields) => simulatorLog?.info(fields ?? {}, line),
      ...simulatorOptions,
    });
    simulator.start();
  }

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
  const trainingIngress = runTrainingIngress(transport, { client, taskQueue, settings: trainingRuns, signal: controller.signal }).catch(
    (error: Error) => ingressLog?.error({ err: error }, 'the training-run ingress stopped'),
  );
  // Started now, so conservative mode is known (and silence noticed) before the first packet arrives.
  startEsperHealth(client, taskQueue, health).catch((error: Error) =>
    ingressLog?.error({ err: error }, 'the health registry did not start'),
  );
  const healthIngress = runHealthIngress(transport, { client, taskQueue, health, signal: controller.signal }).catch((error: Error) =>
    ingressLog?.error({ err: error }, 'the health ingress stopped'),
  );

  return {
    deps: { transport, signingSecret, compileSlots, rollbackConfirmationMs },
    transport,
    simulator,
    stop: async () => {
      controller.abort();
      await ingress;
      await rollbackIngress;
      await trainingIngress;
      await healthIngress;
      await simulator?.stop();
      await close();
    },
  };
}

/** An open bus: the transport, the secret this process signs with, and how to close the connection. */
export interface OpenEsperBus {
  transport: EsperTransport;
  signingSecret: string;
  close(): Promise<void>;
}

/**
 * Opens the configured bus. Oona: one Redis connection for publishing (each consumer opens its own for blocking
 * reads); a dead Redis is logged by the consumer loops, which keep retrying, so the relay's chat side stays up.
 */
export function openEsperBus(config: EsperBusConfig, options: Omit<InProcessBusOptions, 'secrets'>): OpenEsperBus {
  if (config.kind === 'in-process') {
    // The bus lives and dies with this process, so a fresh secret per process is enough.
    const signingSecret = randomBytes(32).toString('hex');
    return { transport: createInProcessTransport({ ...options, secrets: [signingSecret] }), signingSecret, close: async () => undefined };
  }
  const redis = new Redis(config.url, { maxRetriesPerRequest: 2, connectTimeout: 5_000 });
  let reportedDown = false;
  redis.on('error', (error: Error) => {
    if (!reportedDown) options.onError?.(error, 'connecting to Oona (Redis)');
    reportedDown = true;
  });
  redis.on('ready', () => (reportedDown = false));
  const transportOptions: TransportOptions = { ...options, secrets: config.signingSecrets };
  return {
    transport: createOonaRedisTransport(redis, { ...transportOptions, keyPrefix: config.keyPrefix }),
    signingSecret: config.signingSecrets[0]!,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
