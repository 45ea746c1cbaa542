/**
 * Esper from chat, end to end: Telegram updates through the real telegraf client against the Telegram double,
 * the message pipeline on a real dev server with the Esper harness (in-process bus, seeded simulator), and the
 * real Anthropic SDK against the Claude double. /rollback asks for a confirmation with buttons; the press comes
 * back as a callback query and decides it.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listRunningTrainingRuns } from '../../client/esper/running-runs';
import { SimulatedTrainingRun } from '../../simulator/training-run';
import { startTelegramChannel, type TelegramChannel } from '../../client/telegram/bot';
import { rollbackConfirmationWorkflowId, type RollbackConfirmationStatus } from '../../contracts/esper/rollback-confirmation';
import type { EmergencyRollbackReport } from '../../contracts/esper/rollback';
import { createLogger } from '../../workers/logger';
import { lastToolResults, startClaudeDouble, type ClaudeDouble } from '../../doubles/claude-double';
import { startTelegramDouble, type SentMessage, type TelegramDouble } from '../../doubles/telegram-double';
import { activitiesInHistory, uniqueChatId } from '../support/harness';
import { startEsperHarness, type EsperHarness } from '../support/esper-harness';

/** Ids no other test uses: the admin's private chat is where the rollback reports go. */
const ADMIN = Number(uniqueChatId());
const USER = Number(uniqueChatId());
const CONFIRM_MS = 8_000;

type Keyboard = { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };

describe('Esper from chat (Telegram)', () => {
  let telegram: TelegramDouble;
  let claude: ClaudeDouble;
  let relay: EsperHarness;
  let channel: TelegramChannel;
  let nextMessageId = 100;

  beforeAll(async () => {
    telegram = await startTelegramDouble();
    claude = await startClaudeDouble();
    relay = await startEsperHarness({
      env: {
        RELAY_ADMINS: String(ADMIN),
        RELAY_ALLOWED_USERS: String(USER),
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.url,
        ANTHROPIC_API_KEY: 'test-key',
        ANTHROPIC_BASE_URL: claude.url,
      },
      esperDeps: { rollbackConfirmationMs: CONFIRM_MS },
    });
    channel = await startTelegramChannel(relay.config, {
      client: relay.client,
      store: relay.store,
      log: createLogger({ logLevel: 'silent' }),
    });
  });
  afterAll(async () => {
    await channel?.stop('test over');
    await relay?.stop();
    await telegram?.close();
    await claude?.close();
  });

  /** The next message the bot sends to `chatId` that `matches`, after `from` messages were already there. */
  const nextTo = (chatId: number, from: number, matches: (text: string) => boolean = () => true) =>
    vi.waitFor(
      () => {
        const found = telegram.sent
          .filter((s) => String(s.chat_id) === String(chatId))
          .slice(from)
          .find((s) => matches(s.text));
        if (!found) throw new Error(`no matching reply in chat ${chatId} yet`);
        return found;
      },
      { timeout: 30_000, interval: 50 },
    );
  const sentCount = (chatId: number) => telegram.sent.filter((s) => String(s.chat_id) === String(chatId)).length;

  /** Sends `text` as `userId` in a chat of its own; the bot's reply. */
  const say = async (userId: number, text: string, chatId = Number(uniqueChatId())) => {
    const before = sentCount(chatId);
    const messageId = ++nextMessageId;
    telegram.pushMessage({ chatId, userId, text, messageId });
    return { reply: await nextTo(chatId, before), chatId, messageId };
  };

  /** Presses a button (of the bot's message `onMessage`) as `userId`; the bot's answer in that chat. */
  const press = async (userId: number, chatId: number, data: string, answer: (text: string) => boolean = () => true, onMessage = 1) => {
    const before = sentCount(chatId);
    const from = { id: userId, is_bot: false, first_name: 'U' };
    telegram.pushUpdate({
      callback_query: {
        id: `cb${++nextMessageId}`,
        from,
        chat_instance: 'x',
        data,
        message: { message_id: onMessage, date: 0, chat: { id: chatId, type: 'private' } },
      },
    });
    return (await nextTo(chatId, before, answer)).text;
  };

  /** Claude's final answer quotes what the tools returned. */
  const answerWithToolResults = () =>
    claude.setReply(
      (body) =>
        `From the tools: ${lastToolResults(body)
          .map((result) => result.content)
          .join(' | ')}`,
    );

  const buttonsOf = (reply: SentMessage) => (reply.reply_markup as Keyboard).inline_keyboard.flat();
  const confirmationOf = async (reply: SentMessage) => {
    const key = /^rbc:([a-z0-9]+):/.exec(buttonsOf(reply)[0]!.callback_data)![1]!;
    return relay.client.workflow.getHandle(rollbackConfirmationWorkflowId(key));
  };

  it('asks an admin to confirm /rollback with two buttons; a non-admin press is refused, Confirm starts the rollback', async () => {
    const { reply, chatId } = await say(ADMIN, '/rollback fast run-chat-1');
    expect(reply.text).toBe(
      `Roll back run run-chat-1 at FAST? An admin must confirm within ${CONFIRM_MS / 1000} s; nothing happens until then.`,
    );
    const [confirm, cancel] = buttonsOf(reply);
    const confirmation = await confirmationOf(reply);
    expect([confirm!.text, cancel!.text]).toEqual(['Confirm FAST rollback of run-chat-1', 'Cancel']);
    for (const button of [confirm!, cancel!]) expect(Buffer.byteLength(button.callback_data)).toBeLessThanOrEqual(64);

    const onReply = (userId: number) => press(userId, chatId, confirm!.callback_data, undefined, reply.message_id);
    expect(await onReply(USER)).toBe('Sorry, only admins can confirm or cancel a rollback.');
    expect(buttonsOf(reply)).toHaveLength(2); // still waiting: the buttons stay

    const started = await onReply(ADMIN);
    // Decided: the buttons are taken off the question, which keeps its text.
    expect(reply.reply_markup).toEqual({ inline_keyboard: [] });
    const rollbackId = /as (rollback-run-chat-1-admin-confirm-[a-z0-9]+)\./.exec(started)?.[1];
    expect(started).toMatch(/^FAST rollback of run run-chat-1 started by user \d+ as rollback-run-chat-1-admin-confirm-/);
    const report: EmergencyRollbackReport = await relay.client.workflow.getHandle(rollbackId!).result();
    expect(report).toMatchObject({ runId: 'run-chat-1', startLevel: 'FAST', trigger: { kind: 'admin', requestedBy: String(ADMIN) } });
    expect(report.steps[0]).toMatchObject({ subsystem: 'tamiyo', level: 'FAST' });
    // The admins get the rollback's report in their private chat, as for any admin-triggered rollback.
    expect((await nextTo(ADMIN, 0, (text) => text.includes('Esper run run-chat-1'))).text).toContain(
      `asked and confirmed in chat by admin ${ADMIN}`,
    );

    // A second press changes nothing and says so.
    expect(await onReply(ADMIN)).toMatch(/^Already decided: FAST rollback of run run-chat-1 started/);
    const status: RollbackConfirmationStatus = await confirmation.result();
    expect(status).toMatchObject({ state: 'started', decidedBy: String(ADMIN), rollbackWorkflowId: rollbackId });
    expect(Object.values(status.presses).sort()).toEqual(['accepted', 'not-admin']);
  });

  it('Cancel ends the confirmation and starts nothing', async () => {
    const { reply, chatId } = await say(ADMIN, '/rollback FULL run-chat-2');
    const cancel = buttonsOf(reply)[1]!;
    expect(await press(ADMIN, chatId, cancel.callback_data)).toBe(
      `FULL rollback of run run-chat-2 cancelled by user ${ADMIN}; nothing was rolled back.`,
    );
    const status: RollbackConfirmationStatus = await (await confirmationOf(reply)).result();
    expect(status.state).toBe('cancelled');
    const wouldBe = relay.client.workflow.getHandle(`rollback-run-chat-2-admin-confirm-${status.key}`);
    await expect(wouldBe.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('expires unanswered, and a late press says so', async () => {
    const { reply, chatId } = await say(ADMIN, '/rollback freeze run-chat-3');
    const status: RollbackConfirmationStatus = await (await confirmationOf(reply)).result();
    expect(status.state).toBe('expired');
    expect(await press(ADMIN, chatId, buttonsOf(reply)[0]!.callback_data)).toMatch(
      /^This confirmation of a FREEZE rollback of run run-chat-3 expired unanswered at .+; nothing was rolled back\./,
    );
  });

  it('refuses /rollback from a non-admin and explains bad input and a missing run', async () => {
    expect((await say(USER, '/rollback fast run-x')).reply.text).toBe('Sorry, only admins can roll back training runs.');
    expect((await say(ADMIN, '/rollback sideways')).reply.text).toMatch(/^"sideways" is not a rollback level\. Usage: \/rollback/);
    expect((await say(ADMIN, '/rollback fast')).reply.text).toMatch(/^No training run is running right now\. Usage: \/rollback/);
    // A button nobody made still expires.
    const { chatId } = await say(USER, '/health');
    expect(await press(USER, chatId, 'yes')).toBe('This button has expired.');
  });

  it('answers /status and /seeds for every allowed user, and /health', async () => {
    expect((await say(USER, '/status')).reply.text).toBe('No training run is running right now.');
    expect((await say(USER, '/seeds no-such-run')).reply.text).toBe('There is no training run no-such-run on this relay.');
    // The simulator's subsystems report to the health registry; they may not have yet.
    expect((await say(USER, '/health')).reply.text).toMatch(
      /^Conservative mode: off \(every breaker closed\)\.\n(No subsystem has reported yet\.|\w+ HEALTHY, seen \d+ s ago, breaker closed)/,
    );
  });

  it('answers "how is it going?" with a tool Claude called, run as its own activity', async () => {
    claude.script({ toolUse: [{ name: 'esper_blueprints', input: {} }], text: 'Let me look at the catalogue.' });
    answerWithToolResults();
    const before = claude.requests.length;
    const { reply, chatId, messageId } = await say(USER, 'how are the blueprints doing?');

    expect(reply.text).toBe('From the tools: No blueprint has been through the pipeline yet. An admin starts one with /compile BP007.');
    const [asking, answering] = claude.requests.slice(before);
    expect(asking!.body.tools).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'esper_training_status' })]));
    expect(answering!.body.messages.at(-2)).toMatchObject({
      role: 'assistant',
      content: [{ type: 'text' }, { type: 'tool_use', name: 'esper_blueprints' }],
    });
    expect(await activitiesInHistory(relay.client, `msg-telegram-${chatId}-${messageId}`)).toEqual([
      'securityGate',
      'buildContext',
      'routeMessage',
      'orchestrateAgent',
      'runAgentTool',
      'orchestrateAgent',
      'deliverResponse',
    ]);
  });
  // Last: from here on a training run is running on this relay (its entity outlives the simulated run).
  it('with a simulated run: /status, /seeds, /rollback without a run id, and Claude asking how the run is doing', async () => {
    const run = new SimulatedTrainingRun({
      runId: 'sim-chat-run',
      epochIntervalMs: 100,
      transport: relay.esper.transport,
      signingSecret: relay.esper.deps.signingSecret,
    });
    run.start();
    try {
      await vi.waitFor(
        async () => expect(await listRunningTrainingRuns(relay.client, relay.config.temporal.taskQueue)).toEqual(['sim-chat-run']),
        { timeout: 20_000, interval: 100 },
      );
      await vi.waitFor(
        async () => expect((await say(USER, '/status')).reply.text).toMatch(/^Run sim-chat-run RUNNING: epoch ([3-9]|\d\d)/),
        {
          timeout: 20_000,
          interval: 200,
        },
      );
      const status = (await say(USER, '/status')).reply.text.split('\n');
      expect(status[1]).toMatch(/^Loss: train \d/);
      expect(status[2]).toMatch(/^Epoch latency: last [\d.]+ ms, p50 [\d.]+ ms, p95 [\d.]+ ms over \d+ epochs$/);
      expect(status.at(-1)).toMatch(/^Conservative mode: (off|ON)/);
      expect((await say(USER, '/seeds')).reply.text).toMatch(
        /^(Seeds of run sim-chat-run at epoch \d+:\n\S+ [A-Z]+ since epoch \d+|Run sim-chat-run has no seeds yet)/,
      );

      const { reply } = await say(ADMIN, '/rollback freeze');
      expect(reply.text).toMatch(/^Roll back run sim-chat-run at FREEZE\?/);

      claude.script({ toolUse: [{ name: 'esper_training_status', input: { runId: 'sim-chat-run' } }] });
      answerWithToolResults();
      const answer = await say(USER, 'how is run sim-chat-run doing?');
      expect(answer.reply.text).toMatch(/^From the tools: Run sim-chat-run RUNNING: epoch \d+/);
    } finally {
      await run.stop();
    }
  });
});
