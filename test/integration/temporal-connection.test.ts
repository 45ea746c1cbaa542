/**
 * The relay's real connection path (`relay up`: search attributes, the worker's NativeConnection, the clients'
 * Connections) configured by a temporal.toml profile alone, no TEMPORAL_ADDRESS: once in plaintext against the
 * test run's dev server, once over mTLS through a TLS terminator in front of it. A message is answered each time.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { connectClient } from '../../workers/connect';
import { awaitOutcome, submitMessage } from '../../client/ingress';
import { loadConfig } from '../../contracts/config';
import { parseInboundMessage } from '../../contracts/message';
import { createLogger } from '../../workers/logger';
import { startRelay } from '../../workers/relay';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { makeTestCertificates, startMtlsProxy, TLS_SERVER_NAME, type MtlsProxy, type TestCertificates } from '../support/mtls-proxy';

let claude: ClaudeDouble;
let dir: string;
let certificates: TestCertificates;
let proxy: MtlsProxy;

beforeAll(async () => {
  claude = await startClaudeDouble();
  dir = mkdtempSync(path.join(os.tmpdir(), 'relay-envconfig-'));
  certificates = makeTestCertificates(dir);
  proxy = await startMtlsProxy(inject('temporalAddress'), certificates);
  writeFileSync(
    path.join(dir, 'temporal.toml'),
    [
      '[profile.plain]',
      `address = "${inject('temporalAddress')}"`,
      'namespace = "default"',
      '',
      '[profile.mtls]',
      `address = "${proxy.address}"`,
      'namespace = "default"',
      '[profile.mtls.tls]',
      `server_name = "${TLS_SERVER_NAME}"`,
      `server_ca_cert_path = "${certificates.caCert}"`,
      `client_cert_path = "${certificates.clientCert}"`,
      `client_key_path = "${certificates.clientKey}"`,
      '',
      '[profile.no-client-cert]',
      `address = "${proxy.address}"`,
      `tls = { server_name = "${TLS_SERVER_NAME}", server_ca_cert_path = "${certificates.caCert}" }`,
    ].join('\n'),
  );
});

afterAll(async () => {
  await proxy?.close();
  await claude?.close();
  rmSync(dir, { recursive: true, force: true });
});

function configFor(profile: string) {
  return loadConfig(
    {
      TEMPORAL_CONFIG_FILE: path.join(dir, 'temporal.toml'),
      TEMPORAL_PROFILE: profile,
      TEMPORAL_TASK_QUEUE: `envconfig-${randomUUID()}`,
      RELAY_DATA_DIR: mkdtempSync(path.join(dir, `${profile}-data-`)),
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: claude.url,
      RELAY_ALLOWED_USERS: '7',
      RELAY_CHANNELS: 'cli',
      RELAY_METRICS_LISTEN: 'off',
      RELAY_LOG_LEVEL: 'warn',
    },
    '/nonexistent/.env',
  );
}

async function answerOneMessage(profile: string): Promise<void> {
  const config = configFor(profile);
  const relay = await startRelay(config, createLogger(config, 'envconfig-test'));
  try {
    expect(relay.address).toBe(config.temporal.address);
    expect(relay.uiUrl).toBeUndefined(); // no embedded dev server was started
    const client = await connectClient(config);
    try {
      const message = parseInboundMessage({
        channel: 'cli',
        chatId: String(Date.now()),
        userId: '7',
        messageId: randomUUID(),
        kind: 'text',
        text: `hello over ${profile}`,
        receivedAt: new Date().toISOString(),
      });
      const workflowId = await submitMessage(client, config.temporal.taskQueue, message);
      const outcome = await awaitOutcome(client, workflowId, 60_000);
      expect(outcome.outcome).toBe('answered');
    } finally {
      await client.connection.close();
    }
  } finally {
    await relay.stop();
  }
}

it('answers a message with the server taken from a temporal.toml profile alone', async () => {
  await answerOneMessage('plain');
});

it('answers a message over mTLS with the certificates from the profile', async () => {
  await answerOneMessage('mtls');
});

it('is refused by the mTLS server without a client certificate, with the usual hint', async () => {
  await expect(connectClient(configFor('no-client-cert'))).rejects.toThrow(
    /cannot reach Temporal at 127\.0\.0\.1:\d+: [\s\S]*Check TEMPORAL_ADDRESS \(or the address in profile "no-client-cert"\)/,
  );
});
