import type { Logger } from 'pino';
import type { RelayConfig } from '../contracts/config';
import { describeEsper } from '../contracts/esper/config';
import { startRelay, type RelayParts } from '../workers/relay';

/** `relay up` / `relay worker`: runs until Ctrl-C (SIGINT) or SIGTERM, then shuts down in order. */
export async function runUp(config: RelayConfig, log: Logger, parts: RelayParts): Promise<void> {
  const relay = await startRelay(config, log, parts);
  const where = relay.uiUrl ? `Temporal Web UI ${relay.uiUrl}` : `Temporal at ${relay.address}`;
  const channels = relay.channels.length > 0 ? relay.channels.join(', ') : 'none (worker only)';
  const codec = relay.codecUrl ? `, codec endpoint ${relay.codecUrl}` : '';
  const privacy = relay.encryptionKeyId ? `payloads encrypted (key ${relay.encryptionKeyId}${codec})` : 'payload encryption off';
  const metrics = relay.metricsUrl ? `; metrics ${relay.metricsUrl}` : '';
  const store = relay.store ? `; state in ${relay.store}` : '';
  process.stdout.write(
    `esper-relay ready — ${where} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}); channels: ${channels}; ${describeEsper(config.esper)}; ${privacy}${store}${metrics}. Ctrl-C to stop.\n`,
  );

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      process.stderr.write('relay: forced exit\n');
      process.exit(130);
    }
    process.stderr.write(`relay: ${signal} received, shutting down (Ctrl-C again to force)…\n`);
    void relay.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await relay.finished.catch(() => undefined);
  await relay.stop();
  process.stderr.write('relay: stopped\n');
}
