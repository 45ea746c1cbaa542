/**
 * The operator commands on a real dev server: a Telegram message whose Claude call is rejected (404, as for a
 * misconfigured model: final) fails for real; `relay failed` lists it with the cause, `relay trace` shows the
 * failed step, and `relay replay` re-runs it from that step once Claude answers again, so the user gets exactly
 * one reply.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runFailed } from '../../cli/failed';
import { runReplay, type ReplayOptions } from '../../cli/replay';
import { runTrace } from '../../cli/trace';
import { awaitOutcome } from '../../client/ingress';
import type { FailedMessage } from '../../client/inspect/failed-messages';
import { searchAttributes } from '../../contracts/temporal';
import { startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { startTelegramDouble, type TelegramDouble } from '../../doubles/telegram-double';
import { captureIo, eventually } from '../support/capture-io';
import { startHarness, uniqueChatId, type Harness } from '../support/harness';

const DAY_MS = 86_400_000;
const RELAY_BIN = path.join(__dirname, '..', '..', 'bin', 'relay.js');

describe('operator commands on a failed message', () => {
  let claude: ClaudeDouble;
  let telegram: TelegramDouble;
  let relay: Harness;
  const chatId = uniqueChatId();
  let workflowId: string;

  const sentTo = (chat: string) => telegram.sent.filter((sent) => String(sent.chat_id) === chat).map((sent) => sent.text);
  /** How often the chat got this reply (side notices such as "could not get an answer" are not replies). */
  const replyCount = (chat: string, reply: string) => sentTo(chat).filter((text) => text === reply).length;
  const replayOptions = (options: Partial<ReplayOptions>): ReplayOptions => ({ workflowIds: [], sinceMs: DAY_MS, limit: 50, ...options });
  const listFailed = (chat: string) => runFailed(relay.config, { sinceMs: DAY_MS, chat, limit: 50, json: true }, captureIo().io);

  beforeAll(async () => {
    claude = await startClaudeDouble();
    telegram = await startTelegramDouble();
    relay = await startHarness({
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: claude.url,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      RELAY_ALLOWED_USERS: '7',
    });
    // Claude refuses the request once (404: say, a model name that does not exist). RemoteRejected is final, so
    // orchestrateAgent and the message fail; the next request is answered, as after the operator's fix.
    claude.script({ status: 404, message: 'model: claude-nope' });
    workflowId = await relay.submit(relay.message('please answer', { channel: 'telegram', chatId, userId: '7', messageId: '1017' }));
    await expect(awaitOutcome(relay.client, workflowId)).rejects.toBeInstanceOf(WorkflowFailedError);
  });
  afterAll(async () => {
    await relay?.stop();
    await telegram?.close();
    await claude?.close();
  });

  it('`failed` lists the message with the cause from its history', async () => {
    const failed = await eventually(
      () => listFailed(chatId),
      (found) => found.length > 0,
    );
    expect(failed).toEqual([
      expect.objectContaining<Partial<FailedMessage>>({
        workflowId,
        status: 'failed',
        chatId,
        userId: '7',
        channel: 'telegram',
        cause: {
          activity: 'orchestrateAgent',
          type: 'RemoteRejected',
          message: expect.stringContaining('Claude rejected the request (404)'),
        },
      }),
    ]);
    expect(failed[0]!.closeTime).toBeDefined();

    const text = captureIo();
    await runFailed(relay.config, { sinceMs: DAY_MS, chat: chatId, limit: 50 }, text.io);
    expect(text.out()).toMatch(new RegExp(`${workflowId}\\s+failed\\s+\\S+\\s+${chatId}\\s+7\\s+orchestrateAgent: Claude rejected`));
  });

  it('`trace` shows the three completed steps, then orchestrateAgent failed once with RemoteRejected', async () => {
    const captured = captureIo();
    const trace = await runTrace(relay.config, { workflowId }, captured.io);

    expect(trace).toMatchObject({ workflowType: 'messageWorkflow', status: 'failed', cause: { type: 'RemoteRejected' } });
    expect(trace.searchAttributes).toEqual({ RelayChannel: 'telegram', RelayChatId: chatId, RelayUserId: '7', RelayRoute: 'text' });
    // (Side notices to the user and the admins may follow the failed step.)
    expect(trace.steps.slice(0, 4).map((step) => [step.activity, step.status, step.attempts])).toEqual([
      ['securityGate', 'completed', 1],
      ['buildContext', 'completed', 1],
      ['routeMessage', 'completed', 1],
      ['orchestrateAgent', 'failed', 1],
    ]);
    expect(trace.steps[3]!.lastFailure).toMatchObject({ type: 'RemoteRejected', message: expect.stringContaining('404') });
    expect(trace.steps.map((step) => step.activity)).not.toContain('deliverResponse');
    expect(trace.steps.every((step) => step.durationMs! >= 0)).toBe(true);
    expect(captured.out()).toMatch(/orchestrateAgent\s+failed\s+1\s+\d+ ms\s+Claude rejected the request \(404\).*\[RemoteRejected\]/);
  });

  it('`trace` of an unknown workflow says so', async () => {
    await expect(runTrace(relay.config, { workflowId: 'msg-cli-0-nope' }, captureIo().io)).rejects.toThrow('no workflow msg-cli-0-nope');
  });

  it('`relay failed --json` and `relay trace` work as processes', () => {
    const env = { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), RELAY_DATA_DIR: relay.dataDir, RELAY_LOG_LEVEL: 'warn' };
    const run = (args: string[]) => spawnSync(process.execPath, [RELAY_BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });

    const failed = run(['failed', '--json', '--chat', chatId, '--since', '1h']);
    expect(failed.status).toBe(0);
    expect(JSON.parse(failed.stdout)).toEqual([expect.objectContaining({ workflowId, status: 'failed' })]);
    const missing = run(['trace', 'msg-cli-0-nope']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('relay: no workflow msg-cli-0-nope');
  });

  it('`replay --dry-run` says it would reset before orchestrateAgent and changes nothing', async () => {
    const report = await runReplay(relay.config, replayOptions({ workflowIds: [workflowId], dryRun: true }), captureIo().io);
    expect(report.results).toEqual([
      expect.objectContaining({ action: 'reset', dryRun: true, detail: expect.stringMatching(/re-runs orchestrateAgent/) }),
    ]);
    expect((await relay.client.workflow.getHandle(workflowId).describe()).status.name).toBe('FAILED');
  });

  it('`replay` re-runs it from the failed step: one reply, earlier steps kept; a second replay skips it', async () => {
    const captured = captureIo();
    const report = await runReplay(relay.config, replayOptions({ workflowIds: [workflowId], waitSeconds: 60 }), captured.io);

    expect(report.ok).toBe(true);
    expect(report.results[0]).toMatchObject({
      action: 'reset',
      finalStatus: 'completed',
      detail: expect.stringMatching(/^reset to event \d+/),
    });
    expect(captured.out()).toMatch(
      new RegExp(`^${workflowId}\\s+reset to event \\d+ \\(re-runs orchestrateAgent\\), new run \\S+ → completed`),
    );
    const outcome = await relay.client.workflow.getHandle(workflowId).result();
    expect(outcome).toMatchObject({ outcome: 'answered', reply: 'echo: please answer' });
    expect(replyCount(chatId, 'echo: please answer')).toBe(1);
    expect(new Set(sentTo(chatId)).size).toBe(sentTo(chatId).length); // no notice twice either
    // The gate, context and route ran once, before the failure; the new run kept them and went on from the agent.
    const trace = await runTrace(relay.config, { workflowId }, captureIo().io);
    expect(trace.status).toBe('completed');
    expect(trace.steps.every((step) => step.status === 'completed')).toBe(true);
    expect(trace.steps.map((step) => step.activity)).toEqual([
      'securityGate',
      'buildContext',
      'routeMessage',
      'orchestrateAgent',
      'deliverResponse',
    ]);

    const again = await runReplay(relay.config, replayOptions({ workflowIds: [workflowId] }), captureIo().io);
    expect(again.results).toEqual([expect.objectContaining({ action: 'skip', detail: 'skipped: not failed (completed)' })]);
    expect(replyCount(chatId, 'echo: please answer')).toBe(1);
    expect(await listFailed(chatId)).toEqual([]);
  });

  it('`replay --all-failed` restarts a message that was terminated before its first step, with the same input', async () => {
    const chat = uniqueChatId();
    const message = relay.message('terminated early', { channel: 'telegram', chatId: chat, userId: '7', messageId: '5' });
    const id = `msg-telegram-${chat}-5`;
    // Started with a delay and terminated before any workflow task: there is no step to reset to.
    const handle = await relay.client.workflow.start('messageWorkflow', {
      workflowId: id,
      taskQueue: relay.config.temporal.taskQueue,
      args: [message],
      startDelay: '1 hour',
      typedSearchAttributes: [
        { key: searchAttributes.channel, value: 'telegram' },
        { key: searchAttributes.chatId, value: chat },
        { key: searchAttributes.userId, value: '7' },
      ],
    });
    await handle.terminate('operator test');
    const failed = await eventually(
      () => listFailed(chat),
      (found) => found.length > 0,
    );
    expect(failed[0]).toMatchObject({
      workflowId: id,
      status: 'terminated',
      cause: { type: 'Terminated', message: expect.stringContaining('operator test') },
    });

    const report = await runReplay(relay.config, replayOptions({ allFailed: true, chat, waitSeconds: 60 }), captureIo().io);
    expect(report.results).toEqual([expect.objectContaining({ workflowId: id, action: 'restart', finalStatus: 'completed' })]);
    expect(await relay.client.workflow.getHandle(id).result()).toMatchObject({ outcome: 'answered', reply: 'echo: terminated early' });
    expect(sentTo(chat)).toEqual(['echo: terminated early']);
    const described = await relay.client.workflow.getHandle(id).describe();
    expect(described.typedSearchAttributes.get(searchAttributes.chatId)).toBe(chat);
  });

  it('`replay` of an unknown workflow reports an error and is not ok; it needs ids or --all-failed', async () => {
    const captured = captureIo();
    const report = await runReplay(relay.config, replayOptions({ workflowIds: ['msg-cli-0-nope'] }), captured.io);
    expect(report).toEqual({
      ok: false,
      results: [{ workflowId: 'msg-cli-0-nope', action: 'error', detail: 'no workflow msg-cli-0-nope' }],
    });
    expect(captured.out()).toContain('error: no workflow msg-cli-0-nope');
    await expect(runReplay(relay.config, replayOptions({}), captureIo().io)).rejects.toThrow('give WORKFLOW_ID... or --all-failed');
    await expect(runReplay(relay.config, replayOptions({ workflowIds: ['x'], allFailed: true }), captureIo().io)).rejects.toThrow(
      'one of the two',
    );
  });
});
