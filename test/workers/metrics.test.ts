import Anthropic from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClaudeGateway } from '../../activities/claude-gateway';
import { createRelayMetrics, startMetricsServer } from '../../workers/metrics';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';

describe('metrics endpoint', () => {
  let claude: ClaudeDouble;
  beforeEach(async () => {
    claude = await startClaudeDouble();
  });
  afterEach(() => claude.close());

  it("shows the Claude breaker's state, calls by outcome, tokens and Telegram sends", async () => {
    const metrics = createRelayMetrics();
    const gateway = new ClaudeGateway([{ label: 'key 1', client: new Anthropic({ apiKey: 'k', baseURL: claude.url, maxRetries: 0 }) }], {
      onCall: (outcome) => metrics.claudeCall(outcome),
    });
    metrics.watchBreaker(gateway);
    const server = await startMetricsServer(metrics.registry, '127.0.0.1:0');
    try {
      const params = { model: 'm', max_tokens: 8, messages: [{ role: 'user' as const, content: 'hi' }] };
      await gateway.createMessage(params);
      claude.script({ status: 529 }, { status: 529 }, { status: 529 });
      for (let i = 0; i < 3; i++) await gateway.createMessage(params).catch(() => undefined);
      metrics.claudeTokens({ inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0 });
      metrics.telegramSent(2);

      const body = await (await fetch(server.url)).text();
      expect(body).toContain('relay_claude_breaker_state{state="open"} 1');
      expect(body).toContain('relay_claude_breaker_state{state="closed"} 0');
      expect(body).toContain('relay_claude_requests_total{outcome="ok"} 1');
      expect(body).toContain('relay_claude_requests_total{outcome="529"} 3');
      expect(body).toContain('relay_claude_tokens_total{kind="input"} 10');
      expect(body).toContain('relay_telegram_messages_sent_total 2');
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
