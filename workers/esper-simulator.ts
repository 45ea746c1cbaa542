/**
 * Composition root of `relay esper-sim`: the Esper simulator alone, on Oona (Redis), playing Esper's side for a
 * relay started with the same ESPER_REDIS_URL and ESPER_SIGNING_SECRETS. Every log line says "simulator".
 */
import type { Logger } from 'pino';
import { EsperSimulator, type EsperSimulatorOptions } from '../simulator/simulator';
import type { RelayConfig } from '../contracts/config';
import { describeOona } from '../contracts/esper/config';
import { openEsperBus } from './esper';

/**
 * What the simulator plays when a person runs it (`relay up`, `relay esper-sim`): every subsystem with its
 * heartbeat, and one training run (`sim-run-1`) training until stopped. Tests pass their own options instead.
 */
export function operatorSimulatorOptions(config: RelayConfig): Omit<EsperSimulatorOptions, 'transport' | 'signingSecret'> {
  return { trainingRun: {}, heartbeats: { intervalMs: config.esper.simulatorHeartbeatMs } };
}

/** A running standalone simulator. */
export interface StandaloneSimulator {
  simulator: EsperSimulator;
  /** Where it plays, for the ready line (no secrets). */
  where: string;
  stop(): Promise<void>;
}

/** Opens the configured Oona bus and starts the simulator on it; refuses the in-process bus, which no other process can reach. */
export function startStandaloneSimulator(
  config: RelayConfig,
  log: Logger,
  options: Omit<EsperSimulatorOptions, 'transport' | 'signingSecret' | 'log'> = {},
): StandaloneSimulator {
  const bus = config.esper.bus;
  if (bus.kind !== 'oona-redis') {
    throw new Error(
      'relay esper-sim plays Esper on Oona: set ESPER_REDIS_URL and ESPER_SIGNING_SECRETS to the values the relay uses. ' +
        '(Without them `relay up` already runs the simulator in-process.)',
    );
  }
  const busLog = log.child({ component: 'esper-bus' });
  const opened = openEsperBus(bus, {
    onError: (error, during) => busLog.error({ err: error }, `Esper bus: ${during} failed`),
    onIncident: (incident) => busLog.warn(incident, `Esper bus: ${incident.counter}`),
  });
  const simulatorLog = log.child({ component: 'esper-simulator' });
  const simulator = new EsperSimulator({
    ...operatorSimulatorOptions(config),
    ...options,
    transport: opened.transport,
    signingSecret: opened.signingSecret,
    log: (line, fields) => simulatorLog.info(fields ?? {}, line),
  });
  simulator.start();
  return {
    simulator,
    where: describeOona(bus),
    stop: async () => {
      await simulator.stop();
      await opened.close();
    },
  };
}
