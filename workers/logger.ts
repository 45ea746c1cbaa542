import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import pino, { type Logger } from 'pino';
import type { RelayConfig } from '../contracts/config';

/**
 * The process logger: JSON lines on stderr (stdout stays free for command output such as `relay send --json`).
 * Paths that could carry secrets are redacted as a second line of defence; nothing should log them at all.
 */
export function createLogger(config: Pick<RelayConfig, 'logLevel'>, name = 'esper-relay'): Logger {
  return pino(
    {
      name,
      level: config.logLevel,
      redact: {
        paths: ['token', '*.token', 'apiKey', '*.apiKey', 'apiKeys', '*.apiKeys', 'authorization', '*.authorization'],
        censor: '<redacted>',
      },
    },
    pino.destination(2),
  );
}

const ACTIVITY_ONLY_WORKER_WARNING = 'No workflows registered';

const temporalLevels = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Routes the Temporal SDK's own logs (worker, bundler, workflow `log.*`, and the Rust core, which would
 * otherwise print to stdout and corrupt `--json` output) into our logger on stderr. The SDK is chatty at info
 * (webpack output), so it logs from warn up unless our level is debug or finer.
 */
export function installTemporalLogging(log: Logger): void {
  if (Runtime._instance) return; // installed once per process
  const level = log.levelVal <= 20 ? 'DEBUG' : log.levelVal >= 50 ? 'ERROR' : 'WARN';
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const { sdkComponent, ...meta } = entry.meta ?? {};
      // The outbound worker runs activities only, by design; the SDK warns about that at every start.
      const expected = entry.message.startsWith(ACTIVITY_ONLY_WORKER_WARNING);
      log[expected ? 'debug' : temporalLevels[entry.level]]({ temporal: sdkComponent, ...meta }, entry.message);
    }),
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: level, other: level }) } },
  });
}
