/**
 * The Esper chat commands end to end: a chat message through the message pipeline on a real dev server, whose
 * command starts or steers a blueprint pipeline run against the seeded simulator on the in-process bus.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueChatId } from '../support/harness';
import { ADMIN, startEsperHarness, type EsperHarness } from '../support/esper-harness';

/** Allowed, not an admin. */
const USER = '7';

describe('Esper chat commands', () => {
  let relay: EsperHarness;

  beforeAll(async () => {
    relay = await startEsperHarness({ env: { RELAY_ALLOWED_USERS: USER } });
  });
  afterAll(async () => relay?.stop());

  // One chat per user: each chat keeps a session workflow open on the shared dev server, so few chats keep the
  // server's recent executions (which replay-check lists) small.
  const chats: Record<string, string> = {};
  const chatOf = (userId: string) => (chats[userId] ??= uniqueChatId());

  /** Sends `text` as `userId` in that user's chat and returns the reply. */
  const say = async (text: string, userId: string) => {
    const outcome = await relay.send(text, { userId, chatId: chatOf(userId) });
    expect(outcome.outcome).toBe('answered');
    return outcome.reply ?? '';
  };
  const runIdIn = (reply: string) => /^Started (bp-BP\d{3}-\S+):/.exec(reply)?.[1];

  it('lets an admin compile a blueprint, which ends VALIDATED and is listed by /blueprints', async () => {
    const reply = await say('/compile bp007', ADMIN);
    const runId = runIdIn(reply);
    expect(runId).toMatch(/^bp-BP007-cli-/);
    expect(reply).toContain(`relay trace ${runId}`);

    const report = await relay.client.workflow.getHandle(runId!).result();
    expect(report).toMatchObject({ blueprintId: 'BP007', outcome: 'VALIDATED' });
    // The run records who asked, and that the admins (RELAY_ADMINS) are its approvers.
    const described = await relay.client.workflow.getHandle(runId!).describe();
    expect(await described.staticDetails()).toBe(`Requested by ${ADMIN}; strategy FAST; approvers: ${ADMIN}`);

    const listing = await say('/blueprints', USER);
    expect(listing.split('\n')[0]).toBe("Urza's catalogue, most recent first:");
    expect(listing).toMatch(/^BP007 SAFE VALIDATED\b/m);
  });

  it('refuses /compile and /approve from a non-admin, and starts no run', async () => {
    const chatId = chatOf(USER);
    const messageId = randomUUID();
    const outcome = await relay.send('/compile BP008', { userId: USER, chatId, messageId });
    expect(outcome.reply).toBe('Sorry, only admins can compile blueprints.');
    const wouldBe = relay.client.workflow.getHandle(`bp-BP008-cli-${chatId}-${messageId}`);
    await expect(wouldBe.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await relay.blueprint('BP008')).toBeUndefined();

    expect(await say('/approve bp-BP045-x yes', USER)).toBe('Sorry, only admins can approve blueprints.');
  });

  it('answers a bad blueprint id clearly', async () => {
    expect(await say('/compile BP999', ADMIN)).toMatch(/^"BP999" is not a blueprint id: it must be in the catalogue BP001-BP050\. Usage:/);
    expect(await say('/compile', ADMIN)).toMatch(/^Usage: \/compile BP_ID/);
  });

  it("lets an admin approve a HIGH_RISK run, which then finishes VALIDATED with the admin's decision", async () => {
    const reply = await say('/compile BP045', ADMIN);
    const runId = runIdIn(reply)!;
    expect(reply).toContain(`/approve ${runId} yes|no`);
    const handle = relay.client.workflow.getHandle(runId);
    await relay.waitForPhase(handle, 'awaiting_approval');

    expect(await say(`/approve ${runId} yes checked the sheet`, ADMIN)).toBe(
      `Approved ${runId} (checked the sheet). Follow it with: relay trace ${runId}`,
    );
    const report = await handle.result();
    expect(report).toMatchObject({
      outcome: 'VALIDATED',
      approval: { decision: 'APPROVED', decidedBy: ADMIN, note: 'checked the sheet' },
    });
    // The run has finished: nothing is waiting for a decision any more.
    expect(await say(`/approve ${runId} no`, ADMIN)).toBe(`There is no run ${runId} waiting for a decision (it may have finished).`);
  });

  it("shows the run's own refusal plainly: an admin who is not one of the run's approvers", async () => {
    const handle = await relay.start('BP046', { approvers: ['99'] });
    await relay.waitForPhase(handle, 'awaiting_approval');
    expect(await say(`/approve ${handle.workflowId} yes`, ADMIN)).toBe(
      `${handle.workflowId} refused: user ${ADMIN} may not approve blueprints: only admins may.`,
    );
    await handle.cancel();
  });

  it('answers a bad run id or decision clearly', async () => {
    expect(await say('/approve BP045 yes', ADMIN)).toBe(
      '"BP045" is not a blueprint pipeline run: run ids look like bp-BP045-…, as /compile answers.',
    );
    expect(await say('/approve bp-BP045-nosuchrun yes', ADMIN)).toBe(
      'There is no run bp-BP045-nosuchrun waiting for a decision (it may have finished).',
    );
    expect(await say('/approve bp-BP045-nosuchrun maybe', ADMIN)).toMatch(/^Say yes or no, not "maybe"\. Usage: \/approve RUN_ID/);
    expect(await say('/approve', ADMIN)).toMatch(/^Usage: \/approve RUN_ID/);
  });
});
