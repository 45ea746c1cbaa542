import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionCodec } from '../../contracts/payload-codec';
import { startCodecServer, type CodecServer } from '../../workers/codec-server';

const UI = 'http://127.0.0.1:8233';
const codec = new EncryptionCodec([{ id: 'k1', secret: randomBytes(32).toString('base64') }]);
const toJson = (payload: Payload) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

describe('codec endpoint', () => {
  let server: CodecServer;
  const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    server = await startCodecServer({ codec, port: 0, allowedOrigins: [UI] });
  });
  afterAll(async () => server?.close());

  it('listens on 127.0.0.1 only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('encodes and decodes in the remote codec protocol, for the Web UI origin', async () => {
    const plain = toJson(defaultPayloadConverter.toPayload('hello from the UI'));
    const encoded = await post('/encode', { payloads: [plain] }, { Origin: UI });
    expect(encoded.status).toBe(200);
    expect(encoded.headers.get('access-control-allow-origin')).toBe(UI);
    const { payloads } = (await encoded.json()) as { payloads: ReturnType<typeof toJson>[] };
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');

    // Mounted under a prefix it still answers: the protocol looks at the last path segment only.
    const decoded = await post('/codec/decode', { payloads }, { Origin: UI });
    expect(await decoded.json()).toEqual({ payloads: [plain] });
  });

  it('answers the CORS preflight with the headers the Web UI sends', async () => {
    const response = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: UI, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(UI);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
  });

  it('refuses a page from any other origin', async () => {
    const response = await post('/decode', { payloads: [] }, { Origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('says what is wrong with a bad request or an undecryptable payload', async () => {
    expect((await post('/decode', { nope: 1 })).status).toBe(400);
    expect((await fetch(`${server.url}/other`, { method: 'POST' })).status).toBe(404);
    const [foreign] = await new EncryptionCodec([{ id: 'other-key', secret: randomBytes(32).toString('base64') }]).encode([
      defaultPayloadConverter.toPayload('x'),
    ]);
    const response = await post('/decode', { payloads: [toJson(foreign!)] });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: string }).error).toContain('key id "other-key"');
  });

  it('names RELAY_CODEC_PORT when the port is taken', async () => {
    const port = Number(new URL(server.url).port);
    await expect(startCodecServer({ codec, port, allowedOrigins: [] })).rejects.toThrow(/port is in use; set RELAY_CODEC_PORT/);
  });
});
