/**
 * `relay esper-sim`: runs the Esper simulator on Oona until Ctrl-C, for a relay that talks to Redis instead of
 * its in-process bus (ESPER_REDIS_URL). It is a simulator: it answers compile, validation and rollback requests
 * from a seeded generator, it does not train anything.
 */
import type { Logger } from 'pino';
import type { RelayConfig } from '../contracts/config';
import { startStandaloneSimulator } from '../workers/esper-simulator';
import { processIo, type CliIo } from './io';

export interface EsperSimCommandOptions {
  /** Same seed, same answers (default 1). */
  seed?: number;
}

/** Plays Esper's side until SIGINT/SIGTERM, then stops consuming and closes the Redis connection. */
export async function runEsperSim(config: RelayConfig, log: Logger, options: EsperSimCommandOptions, io: CliIo = processIo): Promise<void> {
  const running = startStandaloneSimulator(config, log, { seed: options.seed });
  io.out.write(
    `esper simulator ready — ${running.where}, seed ${options.seed ?? 1}, training run sim-run-1. This is a simulator, not Esper. Ctrl-C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.err.write('esper simulator: stopping…\n');
  await running.stop();
}
