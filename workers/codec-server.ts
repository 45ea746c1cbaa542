/**
 * The codec HTTP endpoint the Temporal Web UI decrypts payloads through (Temporal's remote codec protocol):
 * `POST …/decode` and `POST …/encode` with `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`, the
 * same shape back. It hands out plaintext, so it listens on 127.0.0.1 by default, answers browsers only from the
 * Web UI's origins (CORS; a request from any other page is refused outright), and with a token answers only
 * callers that present it: `Authorization: Bearer <token>` (the Temporal CLI's `--codec-auth`, scripts) or HTTP
 * Basic auth with the token as the password (a browser, after the operator opened the endpoint once; the Web UI
 * then sends it with "Include cross-origin credentials" on). Anywhere but loopback it refuses to start without one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** 0 picks a free one. */
  port: number;
  /** Default 127.0.0.1: whoever reaches the endpoint can read every message. */
  host?: string;
  /** Browser origins allowed to call it, e.g. `http://127.0.0.1:8233` (the Web UI). */
  allowedOrigins: string[];
  /** RELAY_CODEC_TOKEN: required from every caller when set; required to listen anywhere but loopback. */
  token?: string;
}

export interface CodecServer {
  /** `http://host:port`, what the Web UI's codec endpoint setting takes. */
  url: string;
  close(): Promise<void>;
}

/** Payloads in the protocol's JSON form (protobuf JSON: bytes as base64). */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** The origins of a Web UI served on this machine's loopback at `uiPort` (as `relay up` embeds it). */
export function webUiOrigins(uiPort: number): string[] {
  return [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`];
}

/** Starts the codec endpoint; rejects with a clear message when the port is taken. */
export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const host = options.host ?? '127.0.0.1';
  if (!options.token && !isLoopback(host)) {
    throw new Error(
      `the codec endpoint decrypts every message for whoever reaches it: set RELAY_CODEC_TOKEN to serve it on ${host} (only loopback may go without a token)`,
    );
  }
  const server = http.createServer((request, response) => {
    handle(options, request, response).catch((error: Error) => reply(response, 500, { error: error.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `the codec endpoint cannot listen on ${host}:${options.port}: the port is in use; set RELAY_CODEC_PORT to a free port`,
            )
          : error,
      ),
    );
    server.listen(options.port, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(options: CodecServerOptions, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    // Browsers always send Origin on cross-origin calls: a page other than the Web UI gets nothing decrypted.
    if (!options.allowedOrigins.includes(origin)) return reply(response, 403, { error: `origin ${origin} is not allowed` });
    response.setHeader('Access-Control-Allow-Origin', origin);
    response.setHeader('Access-Control-Allow-Credentials', 'true');
    response.setHeader('Vary', 'Origin');
  }
  if (request.method === 'OPTIONS') {
    response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    response.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    response.setHeader('Access-Control-Max-Age', '600');
    response.writeHead(204).end();
    return;
  }
  // Preflights carry no credentials (browsers never send them there); everything after this needs the token.
  if (options.token && !presentsToken(request.headers.authorization, options.token)) {
    response.setHeader('WWW-Authenticate', 'Basic realm="esper-relay codec", charset="UTF-8"');
    return reply(response, 401, { error: 'this codec endpoint needs its token (RELAY_CODEC_TOKEN)' });
  }
  const pathname = new URL(request.url ?? '/', 'http://codec').pathname;
  // Opening the endpoint in the browser is how the operator logs in (the browser asks for the token once).
  if (request.method === 'GET' && pathname.endsWith('/'))
    return reply(response, 200, { ok: 'the Web UI can decode through this endpoint' });
  // The protocol matches on the last path segment only, so the endpoint can be mounted under any prefix.
  const operation = /\/(encode|decode)\/?$/.exec(pathname)?.[1];
  if (!operation) return reply(response, 404, { error: 'POST /encode or /decode' });
  if (request.method !== 'POST') return reply(response, 405, { error: 'use POST' });

  let payloads: Payload[];
  try {
    payloads = fromJson(JSON.parse(await readBody(request)));
  } catch (error) {
    return reply(response, 400, { error: `the body must be { payloads: [{ metadata, data }] }: ${(error as Error).message}` });
  }
  try {
    const result = operation === 'decode' ? await options.codec.decode(payloads) : await options.codec.encode(payloads);
    reply(response, 200, { payloads: result.map(toJson) });
  } catch (error) {
    // An unknown key id or a tampered payload: the message names the key id, never a key.
    reply(response, 422, { error: (error as Error).message });
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `Bearer <token>`, or Basic auth with the token as the password (any user name). Compared in constant time. */
function presentsToken(authorization: string | undefined, token: string): boolean {
  const [scheme, value = ''] = (authorization ?? '').trim().split(/\s+/, 2);
  let presented: string | undefined;
  if (scheme?.toLowerCase() === 'bearer') presented = value;
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    presented = decoded.slice(decoded.indexOf(':') + 1);
  }
  if (presented === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(token));
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`larger than ${MAX_BODY_BYTES} bytes`));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function fromJson(body: unknown): Payload[] {
  const payloads = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads)) throw new Error('no payloads array');
  return payloads.map((payload: JsonPayload) => ({
    metadata: Object.fromEntries(
      Object.entries(payload?.metadata ?? {}).map(([key, value]) => [key, Buffer.from(String(value), 'base64')]),
    ),
    data: Buffer.from(String(payload?.data ?? ''), 'base64'),
  }));
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

function reply(response: http.ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
