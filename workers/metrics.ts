/**
 * Prometheus metrics of one relay process, served on `/metrics` (127.0.0.1 by default): the Claude circuit
 * breaker's state, Claude calls by outcome, tokens by kind, Telegram messages sent, Telegram updates skipped,
 * and strangers refused at the channel.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { ActivityMetrics } from '../activities/deps';
import type { BreakerState, ClaudeGateway } from '../activities/claude-gateway';
import type { ChannelMetrics } from '../client/telegram/bot';

export interface RelayMetrics extends ActivityMetrics, ChannelMetrics {
  registry: Registry;
  claudeCall(outcome: string): void;
  /** Reports the gateway's breaker state on every scrape. */
  watchBreaker(gateway: ClaudeGateway): void;
}

const breakerStates: BreakerState[] = ['closed', 'half-open', 'open'];

export function createRelayMetrics(): RelayMetrics {
  const registry = new Registry();
  const calls = new Counter({
    name: 'relay_claude_requests_total',
    help: 'Requests to Claude by outcome (ok, HTTP status, network)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'relay_claude_tokens_total',
    help: 'Claude tokens by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  const sent = new Counter({ name: 'relay_telegram_messages_sent_total', help: 'Messages sent to Telegram', registers: [registry] });
  const skipped = new Counter({
    name: 'relay_telegram_updates_skipped_total',
    help: 'Telegram updates the channel skipped: malformed (a shape Telegram does not send), unsupported, invalid',
    labelNames: ['reason'],
    registers: [registry],
  });
  const strangers = new Counter({
    name: 'relay_telegram_strangers_refused_total',
    help: 'Messages from users not on the allowlist, refused at the channel; notice: sent or suppressed (told within the hour)',
    labelNames: ['notice'],
    registers: [registry],
  });
  let gateway: ClaudeGateway | undefined;
  new Gauge({
    name: 'relay_claude_breaker_state',
    help: 'Claude circuit breaker: 1 for the current state (closed, half-open, open)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (!gateway) return;
      const current = gateway.breakerState();
      for (const state of breakerStates) this.set({ state }, state === current ? 1 : 0);
    },
  });
  return {
    registry,
    claudeCall: (outcome) => calls.inc({ outcome }),
    claudeTokens: (usage) => {
      tokens.inc({ kind: 'input' }, usage.inputTokens);
      tokens.inc({ kind: 'output' }, usage.outputTokens);
      tokens.inc({ kind: 'cache_read' }, usage.cacheReadTokens);
      tokens.inc({ kind: 'cache_write' }, usage.cacheWriteTokens);
    },
    telegramSent: (messages) => sent.inc(messages),
    telegramUpdateSkipped: (reason) => skipped.inc({ reason }),
    strangerRefused: (notified) => strangers.inc({ notice: notified ? 'sent' : 'suppressed' }),
    watchBreaker: (watched) => void (gateway = watched),
  };
}

/** Serves `GET /metrics` on `listen` (host:port); resolves once listening. */
export async function startMetricsServer(registry: Registry, listen: string): Promise<{ url: string; close(): Promise<void> }> {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at);
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (error: Error) => res.writeHead(500).end(error.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`cannot serve metrics on ${listen} (RELAY_METRICS_LISTEN): ${error.message}`)));
    server.listen(Number(listen.slice(at + 1)), host, resolve);
  });
  const { port } = server.address() as { port: number };
  return { url: `http://${host}:${port}/metrics`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
