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
      redact: { paths: ['token', '*.token', 'apiKey', '*.apiKey', 'apiKeys', '*.apiKeys', 'authorization', '*.authorization'], censor: '<redacted>' },
    },
    pino.destination(2),
  );
}
