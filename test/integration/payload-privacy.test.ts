/**
 * Payload privacy on the real dev server: what Temporal stores of a message (its text, the reply, the summaries
 * the Web UI shows) is encrypted, so the raw history holds no plaintext; the relay's own client reads the outcome,
 * replay decrypts the history, and the codec endpoint turns a raw payload back into plaintext for the Web UI.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceWorkflow } from '../../cli/trace';
import { chatSessionWorkflowId } from '../../contracts/temporal';
import type { MessageOutcome } from '../../contracts/message';
import { startCodecServer, type CodecServer } from '../../workers/codec-server';
import { relayDataConverter } from '../../workers/payload-encryption';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { startHarness, uniqueChatId, workflowBundle, type Harness } from '../support/harness';

type History = temporal.api.history.v1.IHistory;

describe('payload privacy', () => {
  let claude: ClaudeDouble;
  let relay: Harness;
  let codecServer: CodecServer;
  const secretText = `zebra-${randomUUID()}`;
  const chatId = uniqueChatId();
  let outcome: MessageOutcome;

  /** The history as the server stores it, fetched through the raw gRPC service (no data converter at all). */
  const rawHistory = async (workflowId: string): Promise<History> => {
    const response = await relay.client.workflowService.getWorkflowExecutionHistory({
      namespace: relay.config.temporal.namespace,
      execution: { workflowId },
      maximumPageSize: 1000,
    });
    return response.history!;
  };
  const rawBytes = (history: History) => Buffer.from(temporal.api.history.v1.History.encode(history).finish());

  beforeAll(async () => {
    claude = await startClaudeDouble();
    relay = await startHarness({ ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: claude.url, RELAY_ALLOWED_USERS: '7' });
    codecServer = await startCodecServer({ codec: relay.codec, port: 0, allowedOrigins: [] });
    outcome = await relay.send(`please keep ${secretText} private`, { chatId, userId: '7' });
  });
  afterAll(async () => {
    await codecServer?.close();
    await relay?.stop();
    await claude?.close();
  });

  it('lets the relay client, which has the keys, read the outcome', () => {
    expect(outcome).toMatchObject({ outcome: 'answered', reply: `echo: please keep ${secretText} private` });
    expect(claude.requests.at(-1)!.body.messages.at(-1)!.content).toContain(secretText);
  });

  it('stores neither the message text nor its reply in plaintext, in the message or the chat session history', async () => {
    for (const workflowId of [outcome.workflowId, chatSessionWorkflowId('cli', chatId)]) {
      const history = await rawHistory(workflowId);
      const bytes = rawBytes(history);
      expect(bytes.length).toBeGreaterThan(1000);
      expect(bytes.includes(secretText)).toBe(false);
      expect(bytes.includes(secretText.slice(0, 18))).toBe(false);
      expect(bytes.includes('please keep')).toBe(false);
      expect(bytes.includes('binary/encrypted')).toBe(true);
      // The search attributes stay readable (they are indexed), so the Web UI can still filter by chat.
      expect(bytes.includes(chatId)).toBe(true);
    }
  });

  it('leaves a client without the codec unable to read the result', async () => {
    const withoutCodec = new Client({ connection: relay.client.connection, namespace: relay.config.temporal.namespace });
    await expect(withoutCodec.workflow.getHandle(outcome.workflowId).result()).rejects.toThrow(/binary\/encrypted/);
  });

  it('decodes a payload of the raw history back to plaintext through the codec endpoint (HTTP on 127.0.0.1)', async () => {
    const history = await rawHistory(outcome.workflowId);
    const completed = history.events!.find((event) => event.workflowExecutionCompletedEventAttributes)!;
    const encrypted = completed.workflowExecutionCompletedEventAttributes!.result!.payloads![0]!;
    const base64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
    const body = {
      payloads: [
        { metadata: Object.fromEntries(Object.entries(encrypted.metadata!).map(([k, v]) => [k, base64(v)])), data: base64(encrypted.data) },
      ],
    };

    expect(codecServer.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const response = await fetch(`${codecServer.url}/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': relay.config.temporal.namespace },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    const [decoded] = ((await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] }).payloads;
    const payload: Payload = {
      metadata: Object.fromEntries(Object.entries(decoded!.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(decoded!.data, 'base64'),
    };
    expect(defaultPayloadConverter.fromPayload<MessageOutcome>(payload).reply).toBe(`echo: please keep ${secretText} private`);
  });

  it('stores a failure message and its stack trace encrypted, and relay trace still shows them', async () => {
    const failureSecret = `walrus-${randomUUID()}`;
    claude.script({ status: 400, message: `request refused: ${failureSecret}` });
    const workflowId = await relay.submit(relay.message('this will fail', { chatId: uniqueChatId(), userId: '7' }));
    const handle = relay.client.workflow.getHandle(workflowId);
    await expect
      .poll(
        () =>
          handle.describe().then(
            (d) => d.status.name,
            () => 'NOT_FOUND',
          ),
        { timeout: 30_000 },
      )
      .toBe('FAILED');

    const bytes = rawBytes(await rawHistory(workflowId));
    expect(bytes.includes(failureSecret)).toBe(false);
    expect(bytes.includes('request refused')).toBe(false);
    expect(bytes.includes('Encoded failure')).toBe(true);
    // The failure type stays readable (the Web UI and `relay failed` filter on it); the message does not.
    expect(bytes.includes('RemoteRejected')).toBe(true);

    const report = await traceWorkflow(relay.client, relay.config, workflowId);
    const agentStep = report.steps.find((step) => step.activity === 'orchestrateAgent');
    expect(agentStep?.lastFailure).toMatchObject({ type: 'RemoteRejected', message: expect.stringContaining(failureSecret) });
    expect(report.cause?.message).toContain(failureSecret);
  });

  it('replays the encrypted history with the relay data converter', async () => {
    const history = await rawHistory(outcome.workflowId);
    const dataConverter = relayDataConverter(relay.config, relay.codec);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter }, history);
  });
});
