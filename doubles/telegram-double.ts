/**
 * Local HTTP double for the Telegram Bot API, usable by telegraf via
 * `telegram: { apiRoot: double.url }` (requests are `POST /bot<token>/<method>`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A raw update object; `update_id` is assigned by `pushUpdate` when missing. */
export type RawUpdate = { update_id?: number; [key: string]: unknown };

/** A `sendMessage` / `editMessageText` call recorded by the double. */
export interface SentMessage {
  method: 'sendMessage' | 'editMessageText';
  chat_id: unknown;
  text: string;
  parse_mode?: string;
  reply_parameters?: unknown;
  /** The inline keyboard (or other markup) the message was sent with. */
  reply_markup?: unknown;
  message_id: number;
}

/** A Bot API failure to inject with `failNext`. */
export interface TelegramFailure {
  errorCode: number;
  description: string;
  /** Seconds; sent as `parameters.retry_after`. */
  retryAfter?: number;
}

/** Input for `pushMessage`; `userId` defaults to `chatId` (private chat). */
export interface PushMessageInput {
  chatId: number;
  userId?: number;
  text: string;
  messageId?: number;
}

/** Handle returned by {@link startTelegramDouble}. */
export interface TelegramDouble {
  /** Value for telegraf's `apiRoot`. */
  url: string;
  /** The only token the double accepts. */
  token: string;
  /** Messages sent or edited by the bot, in order. */
  sent: SentMessage[];
  /** Every API call received (method and parsed params), in order. */
  calls: Array<{ method: string; params: Record<string, unknown> }>;
  /** Highest `offset` received in `getUpdates` (0 before any). */
  readonly acknowledgedOffset: number;
  /** How often a getUpdates overlapped an open one (two pollers on one token); Telegram answers those 409. */
  readonly pollConflicts: number;
  /** Enqueues a raw update, assigning `update_id` if missing; returns it. */
  pushUpdate(update: RawUpdate): RawUpdate & { update_id: number };
  /** Enqueues a realistic private-chat text message update; returns it. */
  pushMessage(input: PushMessageInput): RawUpdate & { update_id: number };
  /** Resolves with the update ids of the next non-empty getUpdates answer (the moment a batch is handed out). */
  nextDelivery(): Promise<number[]>;
  /** Stores a file the bot can fetch with getFile and download from `/file/bot<token>/<path>`. */
  addFile(fileId: string, bytes: Buffer, filePath?: string): void;
  /** Makes the next call of `method` fail with the given Bot API error. */
  failNext(method: string, failure: TelegramFailure): void;
  /** Resolves with `sent` once it holds at least `count` entries. */
  waitForSent(count: number, timeoutMs?: number): Promise<SentMessage[]>;
  /** Ends pending long polls, destroys sockets and stops the server. */
  close(): Promise<void>;
}

const BOT_USER = { id: 777000111, is_bot: true, first_name: 'Relay Test', username: 'relay_test_bot' };
const MAX_POLL_SECONDS = 1;

/** Parses JSON, urlencoded or multipart (text fields only) bodies plus the query string. */
async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json') && raw) Object.assign(params, JSON.parse(raw));
  if (type.includes('application/x-www-form-urlencoded')) Object.assign(params, Object.fromEntries(new URLSearchParams(raw)));
  const boundary = /boundary=([^;]+)/.exec(type)?.[1];
  if (type.includes('multipart/form-data') && boundary) {
    for (const part of raw.split(`--${boundary}`)) {
      const match = /name="([^"]+)"(; filename="[^"]*")?[^]*?\r\n\r\n([^]*)\r\n$/.exec(part);
      if (match?.[1]) params[match[1]] = match[2] ? '[file]' : match[3];
    }
  }
  return params;
}

function reply(res: ServerResponse, status: number, payload: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload));
}

/** Starts the Telegram double on 127.0.0.1 with an ephemeral port. */
export async function startTelegramDouble(options: { token?: string } = {}): Promise<TelegramDouble> {
  const token = options.token ?? '123456789:TEST-relay-double-token';
  const sent: SentMessage[] = [];
  const calls: TelegramDouble['calls'] = [];
  const pending: Array<RawUpdate & { update_id: number }> = [];
  const failures = new Map<string, TelegramFailure[]>();
  const pollWaiters = new Set<() => void>();
  const sentWaiters = new Set<{ check: () => boolean; fail: (err: Error) => void }>();
  const sockets = new Set<Socket>();
  let nextUpdateId = 1;
  let nextInboundMessageId = 1;
  let nextSentMessageId = 1000;
  let acknowledgedOffset = 0;
  let closed = false;

  const wakePollers = (): void => {
    for (const wake of pollWaiters) wake();
    pollWaiters.clear();
  };

  const waitForUpdate = (seconds: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        pollWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, seconds * 1000);
      pollWaiters.add(done);
    });

  async function getUpdates(params: Record<string, unknown>): Promise<unknown[]> {
    const offset = Number(params.offset ?? 0);
    if (offset > 0) {
      acknowledgedOffset = Math.max(acknowledgedOffset, offset);
      while (pending.length > 0 && pending[0]!.update_id < offset) pending.shift();
    }
    const limit = Math.min(Math.max(Number(params.limit ?? 100) || 100, 1), 100);
    const timeout = Math.min(Number(params.timeout ?? 0) || 0, MAX_POLL_SECONDS);
    if (pending.length === 0 && timeout > 0 && !closed) await waitForUpdate(timeout);
    const batch = pending.slice(0, limit);
    if (batch.length > 0) for (const listener of deliveryListeners.splice(0)) listener(batch.map((update) => update.update_id));
    return batch;
  }

  function recordSent(method: SentMessage['method'], params: Record<string, unknown>): SentMessage {
    const entry: SentMessage = {
      method,
      chat_id: params.chat_id,
      text: String(params.text),
      parse_mode: params.parse_mode as string | undefined,
      reply_parameters: params.reply_parameters,
      ...(params.reply_markup === undefined ? {} : { reply_markup: params.reply_markup }),
      message_id: method === 'editMessageText' ? Number(params.message_id) : nextSentMessageId++,
    };
    sent.push(entry);
    for (const waiter of sentWaiters) waiter.check();
    return entry;
  }

  async function dispatch(method: string, params: Record<string, unknown>): Promise<[number, unknown]> {
    const failure = failures.get(method)?.shift();
    if (failure) {
      const body: Record<string, unknown> = { ok: false, error_code: failure.errorCode, description: failure.description };
      if (failure.retryAfter !== undefined) body.parameters = { retry_after: failure.retryAfter };
      return [failure.errorCode, body];
    }
    const ok = (result: unknown): [number, unknown] => [200, { ok: true, result }];
    switch (method) {
      case 'getMe':
        return ok(BOT_USER);
      case 'deleteWebhook':
      case 'setWebhook':
      case 'answerCallbackQuery':
      case 'setMyCommands':
      case 'sendChatAction':
        return ok(true);
      case 'getUpdates':
        return ok(await getUpdates(params));
      case 'getFile': {
        const file = files.get(String(params.file_id));
        if (!file) return [400, { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' }];
        return ok({
          file_id: params.file_id,
          file_unique_id: `u${String(params.file_id)}`,
          file_size: file.bytes.length,
          file_path: file.path,
        });
      }
      case 'editMessageReplyMarkup': {
        const target = sent.find(
          (entry) => String(entry.chat_id) === String(params.chat_id) && entry.message_id === Number(params.message_id),
        );
        if (!target) return [400, { ok: false, error_code: 400, description: 'Bad Request: message to edit not found' }];
        target.reply_markup = params.reply_markup;
        return ok(true);
      }
      case 'sendMessage':
      case 'editMessageText': {
        if (params.chat_id === undefined) return [400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' }];
        if (!params.text) return [400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty' }];
        const entry = recordSent(method, params);
        const date = Math.floor(Date.now() / 1000);
        return ok({ message_id: entry.message_id, date, from: BOT_USER, chat: { id: entry.chat_id, type: 'private' }, text: entry.text });
      }
      default:
        return [404, { ok: false, error_code: 404, description: 'Not Found: method not found' }];
    }
  }

  /**
   * Like Telegram, one long poll per token at a time: a getUpdates arriving while another is still open (its
   * client has not gone away) ends the earlier one with 409 Conflict, which is counted.
   */
  let openPoll: { superseded: boolean; res: ServerResponse } | undefined;
  let conflicts = 0;
  async function dispatchPoll(params: Record<string, unknown>, res: ServerResponse): Promise<[number, unknown]> {
    if (openPoll && !openPoll.res.destroyed && !openPoll.res.writableEnded) {
      openPoll.superseded = true;
      conflicts++;
      wakePollers();
    }
    const poll = (openPoll = { superseded: false, res });
    const [status, body] = await dispatch('getUpdates', params);
    if (openPoll === poll) openPoll = undefined;
    if (!poll.superseded) return [status, body];
    const description = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
    return [409, { ok: false, error_code: 409, description }];
  }

  const files = new Map<string, { path: string; bytes: Buffer }>();
  const deliveryListeners: Array<(updateIds: number[]) => void> = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (download) {
      const file = [...files.values()].find((candidate) => candidate.path === download[2]);
      if (download[1] !== token || !file) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length });
      res.end(file.bytes);
      return;
    }
    const match = /^\/bot([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!match) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (match[1] !== token) return reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = match[2]!;
    readParams(req, url)
      .then(async (params) => {
        calls.push({ method, params });
        const [status, body] = method === 'getUpdates' ? await dispatchPoll(params, res) : await dispatch(method, params);
        reply(res, status, body);
      })
      .catch((err: unknown) => reply(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${String(err)}` }));
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

  const pushUpdate: TelegramDouble['pushUpdate'] = (update) => {
    const update_id = update.update_id ?? nextUpdateId;
    nextUpdateId = Math.max(nextUpdateId, update_id + 1);
    const stored = { ...update, update_id };
    pending.push(stored);
    wakePollers();
    return stored;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    sent,
    calls,
    nextDelivery: () => new Promise((resolve) => deliveryListeners.push(resolve)),
    addFile: (fileId, bytes, filePath = `files/${fileId}`) => void files.set(fileId, { path: filePath, bytes }),
    get acknowledgedOffset() {
      return acknowledgedOffset;
    },
    get pollConflicts() {
      return conflicts;
    },
    pushUpdate,
    pushMessage: ({ chatId, userId = chatId, text, messageId }) => {
      const first_name = `User${userId}`;
      const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text)?.[0];
      return pushUpdate({
        message: {
          message_id: messageId ?? nextInboundMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: 'private', first_name },
          from: { id: userId, is_bot: false, first_name, language_code: 'en' },
          text,
          ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] } : {}),
        },
      });
    },
    failNext: (method, failure) => {
      failures.set(method, [...(failures.get(method) ?? []), failure]);
    },
    waitForSent: (count, timeoutMs = 10_000) =>
      new Promise<SentMessage[]>((resolve, reject) => {
        const waiter = {
          check: (): boolean => {
            if (sent.length < count) return false;
            clearTimeout(timer);
            sentWaiters.delete(waiter);
            resolve(sent);
            return true;
          },
          fail: (err: Error): void => {
            clearTimeout(timer);
            sentWaiters.delete(waiter);
            reject(err);
          },
        };
        const timer = setTimeout(() => {
          const got = JSON.stringify(sent.map((s) => s.text));
          waiter.fail(new Error(`telegram double: expected >= ${count} sent messages within ${timeoutMs}ms, got ${sent.length}: ${got}`));
        }, timeoutMs);
        sentWaiters.add(waiter);
        waiter.check();
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      wakePollers();
      for (const waiter of sentWaiters) waiter.fail(new Error('telegram double closed'));
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
