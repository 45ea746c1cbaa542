/**
 * The health registry and its circuit breakers on a real Temporal dev server, fed by the simulator's heartbeats on
 * the in-process bus: UNHEALTHY reports and silence open a breaker, the admins hear about conservative mode on the
 * Telegram double, `/compile` refuses non-SAFE blueprints while it lasts, and a healthy report after the open
 * period closes the breaker again.
 */
import type { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEsperHealth } from '../../client/esper/health-client';
import type { EsperSubsystem } from '../../contracts/esper/common';
import { CONSERVATIVE_MODE_REFUSED, esperHealthWorkflowId } from '../../contracts/esper/health';
import { oonaStreams } from '../../contracts/esper/transport';
import { uniqueChatId } from '../support/harness';
import { ADMIN } from '../support/esper-harness';
import { startRollbackHarness, type RollbackHarness } from '../support/rollback-harness';

/** Short enough for a test, long enough that a loaded machine still sees the breaker open before it half-opens. */
const OPEN_MS = 6_000;
const HEARTBEAT_TIMEOUT_MS = 2_000;
const WAIT = { timeout: 30_000, interval: 100 };

describe('health registry and circuit breakers', () => {
  let h: RollbackHarness;
  /** CIRCUIT_BREAKER commands seen on the bus: `OPEN tezzeret`. */
  const breakerCommands: string[] = [];
  const observer = new AbortController();
  let observing: Promise<void> | undefined;

  beforeAll(async () => {
    h = await startRollbackHarness({
      // A short run: about 10 heartbeats a second make it continue as new every ~10 s, mid-test.
      health: { settings: { openMs: OPEN_MS, heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS }, signalsPerRun: 100 },
      // Kasmina hangs on FREEZE rollbacks: a failure the relay's own coordination reports.
      simulator: { heartbeats: { intervalMs: 500 }, rollback: { kasmina: { missLevels: ['FREEZE'] } } },
      rollbackDeadlinesMs: { FREEZE: 1_000, FAST: 2_500, FULL: 2_500, TUNE: 2_500 },
    });
    observing = h.relay.esper.transport.consume({
      streams: [oonaStreams.normal],
      group: 'test-breaker-observer',
      consumer: 'observer-1',
      signal: observer.signal,
      handler: async (delivery) => {
        if (delivery.kind === 'adaptation-command' && delivery.message.type === 'CIRCUIT_BREAKER') {
          const { action, subsystem } = delivery.message.payload;
          breakerCommands.push(`${action} ${subsystem}`);
        }
      },
    });
  });
  afterAll(async () => {
    observer.abort();
    await observing;
    await h?.stop();
  });

  const heartbeats = () => h.relay.esper.simulator!.heartbeats;
  const health = async () => (await readEsperHealth(h.relay.client, h.relay.config.temporal.taskQueue))!;
  const breakerOf = async (subsystem: EsperSubsystem) => (await health()).subsystems.find((s) => s.subsystem === subsystem);
  const adminNotices = () => h.telegram.sent.filter((m) => String(m.chat_id) === ADMIN).map((m) => m.text);
  const noticeMatching = (pattern: RegExp) =>
    expect.poll(() => adminNotices().find((text) => pattern.test(text)) ?? adminNotices().join('\n'), WAIT).toMatch(pattern);
  const chatId = uniqueChatId();
  const compile = async (blueprintId: string) => (await h.relay.send(`/compile ${blueprintId}`, { userId: ADMIN, chatId })).reply ?? '';

  it('opens Tezzeret’s breaker on 3 UNHEALTHY reports: admins told, non-SAFE compiles refused, SAFE still starts; a healthy report closes it', async () => {
    await expect.poll(async () => (await breakerOf('tezzeret'))?.health, WAIT).toBe('HEALTHY');
    heartbeats().report('tezzeret', 'UNHEALTHY');

    await noticeMatching(
      /^⚠️ esper-relay: Esper conservative mode ON: tezzeret's circuit breaker opened \(3 failures in a row \(last: reported UNHEALTHY\)\); half-open at \S+, then the next report decides\. Until every breaker closes: SAFE blueprints only, no new germinations\.$/,
    );
    const status = await health();
    expect(status.conservativeMode).toMatchObject({ on: true, openBreakers: ['tezzeret'] });
    expect(await breakerOf('tezzeret')).toMatchObject({
      health: 'UNHEALTHY',
      breaker: 'open',
      lastFailure: { reason: 'reported UNHEALTHY' },
    });
    await expect.poll(() => breakerCommands, WAIT).toContain('OPEN tezzeret');

    expect(await compile('BP040')).toMatch(
      /^Refused: Esper is in conservative mode since \S+ \(tezzeret's breaker (open until \S+|half-open): reported UNHEALTHY\), so only SAFE blueprints compile and BP040 is EXPERIMENTAL\./,
    );
    expect(await compile('BP007')).toMatch(/^Started bp-BP007-\S+: BP007 \(SAFE\) is compiling\./);
    // A run started without /compile refuses itself, before reserving or cataloguing anything.
    const direct = await h.relay.start('BP041');
    const failure = await direct.result().then(
      () => undefined,
      (error: WorkflowFailedError) => error.cause,
    );
    expect(failure).toMatchObject({
      type: CONSERVATIVE_MODE_REFUSED,
      message: expect.stringMatching(/conservative mode .* BP041 is EXPERIMENTAL/),
    });
    expect(await h.relay.blueprint('BP041')).toBeUndefined();

    heartbeats().report('tezzeret', 'HEALTHY');
    await noticeMatching(
      /^⚠️ esper-relay: Esper conservative mode OFF: tezzeret's circuit breaker closed \(a healthy report after the open period\)\./,
    );
    expect((await health()).conservativeMode).toEqual({ on: false, openBreakers: [] });
    expect(await breakerOf('tezzeret')).toMatchObject({ health: 'HEALTHY', breaker: 'closed', consecutiveFailures: 0 });
    await expect.poll(() => breakerCommands, WAIT).toContain('RESET tezzeret');
    expect(breakerCommands.filter((c) => c.endsWith('tezzeret'))).toEqual(['OPEN tezzeret', 'RESET tezzeret']);
  });

  it('opens the breaker of a subsystem that goes silent, after 3 missed heartbeats', async () => {
    await expect.poll(async () => (await breakerOf('urabrask'))?.breaker, WAIT).toBe('closed');
    heartbeats().silence('urabrask');

    await noticeMatching(
      /^⚠️ esper-relay: Esper conservative mode ON: urabrask's circuit breaker opened \(3 failures in a row \(last: silent for 6 s\)\)/,
    );
    expect((await health()).conservativeMode).toMatchObject({ on: true, openBreakers: ['urabrask'] });
    expect(await compile('BP045')).toMatch(/^Refused: .*urabrask's breaker .*BP045 is HIGH_RISK\./);

    heartbeats().resume('urabrask');
    await noticeMatching(/^⚠️ esper-relay: Esper conservative mode OFF: urabrask's circuit breaker closed/);
    expect(breakerCommands.filter((c) => c.endsWith('urabrask'))).toEqual(['OPEN urabrask', 'RESET urabrask']);
  });

  it("counts a rollback deadline Kasmina missed against Kasmina's breaker", async () => {
    const run = 'run-health-1';
    const workflowId = await h.raise(
      { level: 'ELEVATED', reason: 'grad norm', origin: 'nissa', runId: run, raisedAt: new Date().toISOString() },
      `sig-${run}`,
    );
    expect(await (await h.rollback(workflowId)).result()).toMatchObject({ levelReached: 'FAST', outcome: 'ROLLED_BACK' });
    await expect
      .poll(async () => (await breakerOf('kasmina'))?.lastFailure?.reason, WAIT)
      .toBe(`missed its 1000 ms deadline at FREEZE in ${workflowId}`);
    // One failure, and Kasmina's heartbeats since: still closed.
    expect((await health()).conservativeMode.on).toBe(false);
  });

  it('keeps its breakers across continue-as-new', async () => {
    const workflowId = esperHealthWorkflowId(h.relay.config.temporal.taskQueue);
    const runs: string[] = [];
    for await (const execution of h.relay.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs.push(execution.runId);
    expect(runs.length).toBeGreaterThan(1);
    // Tezzeret's failure happened runs ago; the current run still knows it.
    expect(await breakerOf('tezzeret')).toMatchObject({ breaker: 'closed', lastFailure: { reason: 'reported UNHEALTHY' } });
  });
});
