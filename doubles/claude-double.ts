/**
 * Local HTTP double for the Anthropic Messages API (non-streaming `messages.create`),
 * compatible with `@anthropic-ai/sdk` given `baseURL: double.url`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A content block as sent by the SDK; only `text` blocks are interpreted. */
export interface ClaudeContentBlock {
  type: string;
  text?: string;
  [key: string]: unknown;
}

/** One entry of the request's `messages` array. */
export interface ClaudeRequestMessage {
  role: 'user' | 'assistant';
  content: string | ClaudeContentBlock[];
}

/** Parsed JSON body of `POST /v1/messages`. */
export interface ClaudeRequestBody {
  model: string;
  max_tokens?: number;
  system?: unknown;
  messages: ClaudeRequestMessage[];
  [key: string]: unknown;
}

/** A request received by the double: parsed body plus the auth/version headers. */
export interface RecordedClaudeRequest {
  body: ClaudeRequestBody;
  headers: {
    authorization?: string;
    'x-api-key'?: string;
    'anthropic-version'?: string;
  };
  /** `Date.now()` when the request arrived and when its answer was sent (unset for failures and hangs). */
  receivedAt: number;
  answeredAt?: number;
}

/** Produces the assistant text for a request body. */
export type ClaudeReplyFn = (request: ClaudeRequestBody) => string;

/**
 * A one-shot behaviour consumed by the next request:
 * - `{ status, retryAfter?, errorType? }` answers with Anthropic's error JSON
 *   (`retryAfter` in seconds is sent as the `retry-after` header);
 * - `{ delayMs }` waits, then replies normally;
 * - `{ hang: true }` never answers (until `close()`).
 */
export type ClaudeScriptStep =
  { status: number; retryAfter?: number; errorType?: string; message?: string } | { delayMs: number } | { hang: true } | ClaudeToolUseStep;

/**
 * Answers with `stop_reason: "tool_use"`: an optional text block, then one `tool_use` block per call (ids
 * `toolu_double_<n>` unless given), as the Messages API does when the model wants tools run.
 */
export interface ClaudeToolUseStep {
  toolUse: Array<{ name: string; input: Record<string, unknown>; id?: string }>;
  text?: string;
}

/** Options for {@link startClaudeDouble}. */
export interface ClaudeDoubleOptions {
  /** Delay applied before every reply, in milliseconds (default 0). */
  latencyMs?: number;
  /**
   * How many of the newest requests `requests` keeps (default all). Soak runs keep none: each record holds the
   * whole request body, which would otherwise look like the relay's memory growing.
   */
  keepRequests?: number;
}

/** Handle returned by {@link startClaudeDouble}. */
export interface ClaudeDouble {
  /** Base URL to pass as `baseURL` to the Anthropic client (no trailing slash). */
  url: string;
  /** Every `POST /v1/messages` received, in arrival order (including scripted failures). */
  requests: RecordedClaudeRequest[];
  /** Queues one-shot behaviours for the next requests, in order. */
  script(...steps: ClaudeScriptStep[]): void;
  /** Replaces the function producing the reply text. */
  setReply(fn: ClaudeReplyFn): void;
  /** Stops the server, destroying open sockets (including hung requests). */
  close(): Promise<void>;
}

const DEFAULT_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** Text of the last user message, joining text blocks when content is an array. */
export function lastUserText(body: ClaudeRequestBody): string {
  const last = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  return last.content
    .filter((block) => block.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text)
    .join('\n');
}

/** The `tool_result` blocks of the last user message (what the client sent back after running tools). */
export function lastToolResults(body: ClaudeRequestBody): Array<{ tool_use_id: string; content: string; is_error?: boolean }> {
  const last = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  if (!last || typeof last.content === 'string') return [];
  return last.content
    .filter((block) => block.type === 'tool_result')
    .map((block) => ({
      tool_use_id: String(block.tool_use_id),
      content: typeof block.content === 'string' ? block.content : JSON.stringify(block.content),
      ...(block.is_error === true ? { is_error: true } : {}),
    }));
}

const defaultReply: ClaudeReplyFn = (body) => `echo: ${lastUserText(body)}`;

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(payload));
}

function errorBody(type: string, message: string): unknown {
  return { type: 'error', error: { type, message } };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts the Claude double on 127.0.0.1 with an ephemeral port.
 * By default every request is answered with `echo: <last user text>`.
 */
export async function startClaudeDouble(options: ClaudeDoubleOptions = {}): Promise<ClaudeDouble> {
  const latencyMs = options.latencyMs ?? 0;
  const keepRequests = options.keepRequests ?? Number.POSITIVE_INFINITY;
  const requests: RecordedClaudeRequest[] = [];
  let received = 0;
  const steps: ClaudeScriptStep[] = [];
  const sockets = new Set<Socket>();
  const timers = new Map<NodeJS.Timeout, () => void>();
  let reply: ClaudeReplyFn = defaultReply;
  let closed = false;
  let messageCounter = 0;

  /** Waits `ms`, resolving early when the double closes. */
  const wait = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, ms);
          timers.set(timer, resolve);
        });

  async function handleMessages(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: ClaudeRequestBody;
    try {
      body = JSON.parse(await readBody(req)) as ClaudeRequestBody;
    } catch {
      sendJson(res, 400, errorBody('invalid_request_error', 'request body is not valid JSON'));
      return;
    }
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const record: RecordedClaudeRequest = {
      receivedAt: Date.now(),
      body,
      headers: {
        authorization: header('authorization'),
        'x-api-key': header('x-api-key'),
        'anthropic-version': header('anthropic-version'),
      },
    };
    received += 1;
    requests.push(record);
    if (requests.length > keepRequests) requests.splice(0, requests.length - keepRequests);

    const step = steps.shift();
    if (step && 'hang' in step) return; // left open until close() destroys the socket
    await wait(latencyMs + (step && 'delayMs' in step ? step.delayMs : 0));
    if (closed) return;

    if (step && 'status' in step) {
      const type = step.errorType ?? DEFAULT_ERROR_TYPES[step.status] ?? 'api_error';
      const headers: Record<string, string> = { 'request-id': `req_double_${received}` };
      if (step.retryAfter !== undefined) headers['retry-after'] = String(step.retryAfter);
      sendJson(res, step.status, errorBody(type, step.message ?? `scripted ${step.status} ${type}`), headers);
      return;
    }

    const toolUse = step && 'toolUse' in step ? step : undefined;
    const text = toolUse ? (toolUse.text ?? '') : reply(body);
    messageCounter += 1;
    record.answeredAt = Date.now();
    const content = [
      ...(text || !toolUse ? [{ type: 'text', text }] : []),
      ...(toolUse?.toolUse ?? []).map((call, index) => ({
        type: 'tool_use',
        id: call.id ?? `toolu_double_${messageCounter}_${index}`,
        name: call.name,
        input: call.input,
      })),
    ];
    sendJson(
      res,
      200,
      {
        id: `msg_double_${messageCounter}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content,
        stop_reason: toolUse ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage: {
          input_tokens: Math.max(1, Math.ceil(JSON.stringify(body.messages ?? []).length / 4)),
          output_tokens: Math.max(1, Math.ceil(text.length / 4)),
        },
      },
      { 'request-id': `req_double_${received}` },
    );
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/v1/messages') {
      handleMessages(req, res).catch((err: unknown) => {
        sendJson(res, 500, errorBody('api_error', `claude double failure: ${String(err)}`));
      });
      return;
    }
    sendJson(res, 404, errorBody('not_found_error', `Not found: ${req.method} ${path}`));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...next) => void steps.push(...next),
    setReply: (fn) => void (reply = fn),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const [timer, resolve] of timers) {
        clearTimeout(timer);
        resolve();
      }
      timers.clear();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
