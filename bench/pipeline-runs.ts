/**
 * The two ways the pipeline benchmark drives a workload: through Temporal (submitMessage → awaitOutcome) and
 * through the same five activity functions called in-process (the baseline).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { RelayActivities } from '../activities';
import { awaitOutcome, submitMessage } from '../client/ingress';
import { parseInboundMessage, type InboundMessage } from '../contracts/message';
import { progress, RssSampler, stats, summarize, type RunResult, type Sample, type Stats } from './pipeline-stats';

const OUTCOME_TIMEOUT_MS = 120_000;

/** N messages spread round-robin over M chats; returns each chat's messages in arrival order. */
export function makeWorkload(count: number, chats: number, chatBase: number, tag: string): InboundMessage[][] {
  const byChat: InboundMessage[][] = Array.from({ length: chats }, () => []);
  for (let i = 0; i < count; i++) {
    const chat = i % chats;
    byChat[chat]!.push(
      parseInboundMessage({
        channel: 'cli',
        chatId: String(chatBase + chat),
        userId: '7',
        messageId: `${tag}-${i}`,
        kind: 'text',
        text: `bench message ${i} (chat ${chat}): what is the weather like on the moon today?`,
        receivedAt: new Date().toISOString(),
      }),
    );
  }
  return byChat.filter((messages) => messages.length > 0);
}

/** What the Claude double answers, so a wrong reply counts as a failure. */
export const expectedReply = (message: InboundMessage) => `echo: ${message.text}`;

const activityLogger = new DefaultLogger('WARN');

/** Runs one activity function in its own mock activity context, as the worker gives each task its own. */
function inActivity<A extends unknown[], R>(name: string, timeoutMs: number, fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  const env = new MockActivityEnvironment(
    {
      activityType: name,
      activityId: name,
      startToCloseTimeoutMs: timeoutMs,
      heartbeatTimeoutMs: name === 'orchestrateAgent' ? 10_000 : undefined,
    },
    { logger: activityLogger },
  );
  return env.run(fn, ...args);
}

/** `messageWorkflow`'s steps, in process: the same functions, in the same order, with the same inputs. */
async function pipelineInProcess(activities: RelayActivities, message: InboundMessage): Promise<string> {
  const gate = await inActivity('securityGate', 10_000, activities.securityGate, message);
  let reply = gate.notice ?? '';
  if (gate.allowed) {
    const context = await inActivity('buildContext', 10_000, activities.buildContext, message);
    const plan = await inActivity('routeMessage', 10_000, activities.routeMessage, message);
    const answer = await inActivity('orchestrateAgent', 180_000, activities.orchestrateAgent, { message, gate, context, plan });
    reply = answer.text;
  }
  await inActivity('deliverResponse', 30_000, activities.deliverResponse, { message, text: reply });
  return reply;
}

/** The in-process baseline: each chat's messages arrive at once and go through the five activities one at a time. */
export async function runBaseline(activities: RelayActivities, workload: InboundMessage[][], label?: string): Promise<Sample[]> {
  const total = workload.reduce((sum, messages) => sum + messages.length, 0);
  const bar = label ? progress(label, total) : undefined;
  const samples: Sample[] = [];
  await Promise.all(
    workload.map(async (messages, chat) => {
      // The chat's messages all arrive now (the in-process equivalent of submitting them) and are then
      // processed one at a time, as the chat session workflow does.
      const arrivals = messages.map((message) => ({ message, t0: performance.now(), wall0: Date.now() }));
      for (const { message, t0, wall0 } of arrivals) {
        const started = performance.now();
        const sample: Sample = { chat, text: message.text!, t0, wall0, t1: NaN };
        try {
          const reply = await pipelineInProcess(activities, message);
          if (reply !== expectedReply(message)) sample.error = `unexpected reply for ${message.messageId}: ${reply.slice(0, 80)}`;
        } catch (error) {
          sample.error = `${message.messageId}: ${(error as Error).message}`;
        }
        sample.t1 = performance.now();
        sample.serviceMs = sample.t1 - started;
        samples.push(sample);
        bar?.tick();
      }
    }),
  );
  return samples;
}

/** Submits each chat's messages back to back and awaits every outcome; one sample per message. */
export async function runTemporal(client: Client, taskQueue: string, workload: InboundMessage[][], label?: string): Promise<Sample[]> {
  const total = workload.reduce((sum, messages) => sum + messages.length, 0);
  const bar = label ? progress(label, total) : undefined;
  const samples: Sample[] = [];
  await Promise.all(
    workload.map(async (messages, chat) => {
      // Each chat's messages are submitted back to back, in order (as a channel receives them); their
      // outcomes are awaited concurrently.
      const outcomes: Promise<void>[] = [];
      for (const message of messages) {
        const sample: Sample = { chat, text: message.text!, t0: performance.now(), wall0: Date.now(), t1: NaN };
        samples.push(sample);
        let workflowId: string;
        try {
          workflowId = await submitMessage(client, taskQueue, message);
        } catch (error) {
          sample.t1 = performance.now();
          sample.error = `submit ${message.messageId}: ${(error as Error).message}`;
          bar?.tick();
          continue;
        }
        sample.workflowId = workflowId;
        outcomes.push(
          awaitOutcome(client, workflowId, OUTCOME_TIMEOUT_MS).then(
            (outcome) => {
              sample.t1 = performance.now();
              if (outcome.outcome !== 'answered' || outcome.reply !== expectedReply(message)) {
                sample.error = `unexpected outcome for ${workflowId}: ${outcome.outcome} ${outcome.reply.slice(0, 80)}`;
              }
              bar?.tick();
            },
            (error: unknown) => {
              sample.t1 = performance.now();
              sample.error = `${workflowId}: ${(error as Error).message}`;
              bar?.tick();
            },
          ),
        );
      }
      await Promise.all(outcomes);
    }),
  );
  return samples;
}

/** Reads each message workflow's start and close time from the server (after the run, so it costs it nothing). */
export async function addServerTimes(client: Client, samples: Sample[]): Promise<void> {
  const queue = samples.filter((s) => s.workflowId && !s.error);
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let sample = queue.shift(); sample; sample = queue.shift()) {
        const description = await client.workflow.getHandle(sample.workflowId!).describe();
        if (description.closeTime) {
          sample.closeWall = description.closeTime.getTime();
          sample.serviceMs = description.closeTime.getTime() - description.startTime.getTime();
        }
      }
    }),
  );
}

/** One Temporal run's figures: to the reply in the caller's hands, and to each workflow's close on the server. */
export interface TemporalMeasurement {
  result: RunResult;
  rss: RssSampler;
  /** Hand-over → the message workflow's close time on the server (no awaitOutcome polling). */
  serverClose: { wallMs: number; throughput: number; latency: Stats };
}

/** Warms the workers up with `warmup` messages, then measures `messages` over `chats` (fresh chats each time). */
export async function measureTemporal(
  client: Client,
  taskQueue: string,
  load: { messages: number; chats: number; warmup: number },
  chats: ChatIds,
  label: string,
  hooks: { serverPid?: number; beforeMeasuring?: () => void } = {},
): Promise<TemporalMeasurement> {
  const warmChats = Math.min(load.chats, load.warmup);
  const warm = await runTemporal(client, taskQueue, makeWorkload(load.warmup, warmChats, ...chats.next()));
  const warmError = warm.find((s) => s.error)?.error;
  if (warmError) throw new Error(`warm-up failed: ${warmError}`);
  hooks.beforeMeasuring?.();
  const rss = new RssSampler(hooks.serverPid);
  const samples = await runTemporal(client, taskQueue, makeWorkload(load.messages, load.chats, ...chats.next()), label);
  rss.stop();
  await addServerTimes(client, samples);
  const closed = samples.filter((s) => !s.error && s.closeWall !== undefined);
  const wallMs = Math.max(...closed.map((s) => s.closeWall!)) - Math.min(...samples.map((s) => s.wall0));
  return {
    result: summarize(samples, rss),
    rss,
    serverClose: { wallMs, throughput: closed.length / (wallMs / 1000), latency: stats(closed.map((s) => s.closeWall! - s.wall0)) },
  };
}

/**
 * Chat ids and message-id tags no earlier run used, on this server or (with `--address`) on one that outlives
 * us: a chat's session workflow stays open for 30 minutes on the task queue it started on, so a later run on
 * another queue must never signal it.
 */
export class ChatIds {
  /** A random block of 10⁹ ids (10 000 workloads of MAX_CHATS chats). */
  private readonly base = (1_000 + randomInt(1_000_000)) * 1_000_000_000;
  private readonly tag = randomBytes(3).toString('hex');
  private count = 0;

  /** `[chatBase, tag]` for the next workload. */
  next(): [number, string] {
    this.count++;
    return [this.base + this.count * MAX_CHATS, `${this.tag}-${this.count}`];
  }
}

/** The most chats one workload may have (so workloads' chat ids never overlap). */
export const MAX_CHATS = 100_000;
