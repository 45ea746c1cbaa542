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

describe('codec endpoint with a token', () => {
  const token = 'codec-token-for-tests-0123456789abcdef';
  let server: CodecServer;
  const decode = (headers: Record<string, string> = {}) =>
    fetch(`${server.url}/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: UI, ...headers },
      body: JSON.stringify({ payloads: [toJson(defaultPayloadConverter.toPayload('x'))] }),
    });
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  beforeAll(async () => {
    server = await startCodecServer({ codec, port: 0, allowedOrigins: [UI], token });
  });
  afterAll(async () => server?.close());

  it('refuses a caller without the token, even from the Web UI origin, and asks a browser to log in', async () => {
    const wrong: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong-token' }, { Authorization: basic('operator', 'wrong') }];
    for (const headers of wrong) {
      const response = await decode(headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    }
    // Without Origin (curl, another process on the machine) it is the same.
    const noOrigin = await fetch(`${server.url}/decode`, { method: 'POST', body: JSON.stringify({ payloads: [] }) });
    expect(noOrigin.status).toBe(401);
  });

  it("answers a bearer token (the Temporal CLI's --codec-auth) and Basic auth with the token as password (a browser)", async () => {
    expect((await decode({ Authorization: `Bearer ${token}` })).status).toBe(200);
    const response = await decode({ Authorization: basic('anyone', token) });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('answers the preflight without credentials (browsers send none there), and the browser login page with them', async () => {
    const preflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: UI, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' },
    });
    expect(preflight.status).toBe(204);
    expect((await fetch(`${server.url}/`)).status).toBe(401);
    expect((await fetch(`${server.url}/`, { headers: { Authorization: basic('operator', token) } })).status).toBe(200);
  });

  it('refuses to listen anywhere but loopback without a token, and does with one', async () => {
    await expect(startCodecServer({ codec, port: 0, host: '0.0.0.0', allowedOrigins: [UI] })).rejects.toThrow(/set RELAY_CODEC_TOKEN/);
    const open = await startCodecServer({ codec, port: 0, host: '0.0.0.0', allowedOrigins: [UI], token });
    await open.close();
  });
});
