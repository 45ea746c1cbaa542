/**
 * The Esper chat's pure parts: /rollback's arguments and buttons, how a press is routed and answered, and how
 * /status, /seeds and /health read.
 */
import { describe, expect, it } from 'vitest';
import { parseRollbackArgs, pressAnswer } from '../../activities/esper/rollback-command';
import { describeButtons } from '../../cli/send';
import type { EsperHealthStatus } from '../../contracts/esper/health';
import { parseRollbackCallback, rollbackCallbackData, type RollbackConfirmationStatus } from '../../contracts/esper/rollback-confirmation';
import type { TrainingRunStatus } from '../../contracts/esper/training-run';
import { ago, formatHealth, formatSeeds, formatTrainingStatus } from '../../domain/esper/status-format';
import { planRoute } from '../../domain/routing';
import { testMessage } from '../support/harness';

const run: TrainingRunStatus = {
  runId: 'r1',
  phase: 'RUNNING',
  epoch: 12,
  globalStep: 4800,
  lastStateAt: '2026-01-01T00:00:00.000Z',
  training: { loss: 0.5123, accuracy: 0.812 },
  validation: { loss: 0.6, accuracy: 0.78 },
  lossTrend: 'improving',
  window: { epochs: 12, epochLatencyMs: { last: 21.34, p50: 13, p95: null } },
  seeds: [
    { seedId: 's1', stage: 'TRAINING', blueprintId: 'BP007', stageSinceEpoch: 10, gradientNorm: 0.5, riskScore: 0.123 },
    { seedId: 's2', stage: 'DORMANT', stageSinceEpoch: 0, gradientNorm: 0, riskScore: 0 },
  ],
  seedCounts: { DORMANT: 1, TRAINING: 1 },
  alerts: {
    active: [
      { rule: 'epoch_latency', severity: 'CRITICAL', message: 'epoch latency 21 ms over 18 ms', raisedAt: '2026-01-01T00:00:01.000Z' },
    ],
    recent: [],
  },
  conservative: true,
  packetsTaken: 30,
  duplicatesIgnored: 0,
  recentTransitions: [],
  restores: 0,
};

describe('/rollback arguments and buttons', () => {
  it('reads LEVEL case-insensitively, with an optional run id', () => {
    expect(parseRollbackArgs('fast')).toEqual({ level: 'FAST' });
    expect(parseRollbackArgs('Full run-1')).toEqual({ level: 'FULL', runId: 'run-1' });
    expect(parseRollbackArgs('')).toEqual({ problem: expect.stringMatching(/^Usage: \/rollback FREEZE\|FAST\|FULL/) });
    expect(parseRollbackArgs('tune')).toEqual({ problem: expect.stringMatching(/^"tune" is not a rollback level\./) });
    expect(parseRollbackArgs('fast bad/id')).toEqual({ problem: expect.stringMatching(/^"bad\/id" is not a run id\./) });
    expect(parseRollbackArgs('fast r1 extra')).toEqual({ problem: expect.stringMatching(/^Usage:/) });
  });

  it('names the confirmation in button data of at most 64 bytes, and routes only its own buttons to the press', () => {
    const data = rollbackCallbackData('0123456789abcdef0123', true);
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    expect(parseRollbackCallback(data)).toEqual({ key: '0123456789abcdef0123', confirm: true });
    expect(parseRollbackCallback(rollbackCallbackData('abc', false))).toEqual({ key: 'abc', confirm: false });
    expect(parseRollbackCallback('yes')).toBeUndefined();

    const press = testMessage('', { kind: 'callback', text: undefined, callbackData: data });
    expect(planRoute(press)).toEqual({ route: 'callback', handler: 'builtin', command: { name: 'rollback_press', args: '' } });
    expect(planRoute({ ...press, callbackData: 'yes' })).toEqual({
      route: 'callback',
      handler: 'notice',
      notice: 'This button has expired.',
    });
  });

  it('tells the presser what happened', () => {
    const base: RollbackConfirmationStatus = {
      key: 'k',
      runId: 'r1',
      level: 'FAST',
      requestedBy: '1',
      state: 'started',
      expiresAt: '2026-01-01T00:01:00.000Z',
      decidedBy: '1',
      rollbackWorkflowId: 'rollback-r1-admin-confirm-k',
      presses: {},
    };
    expect(pressAnswer(base, 'accepted')).toMatch(/^FAST rollback of run r1 started by user 1 as rollback-r1-admin-confirm-k\./);
    expect(pressAnswer(base, 'already-decided')).toMatch(/^Already decided: FAST rollback of run r1 started/);
    expect(pressAnswer(base, 'not-admin')).toBe('Sorry, only admins can confirm or cancel a rollback.');
    expect(pressAnswer({ ...base, state: 'cancelled' }, 'accepted')).toBe(
      'FAST rollback of run r1 cancelled by user 1; nothing was rolled back.',
    );
    expect(pressAnswer({ ...base, state: 'expired', decidedBy: undefined }, 'already-decided')).toMatch(
      /^This confirmation of a FAST rollback of run r1 expired unanswered at 2026-01-01T00:01:00.000Z; nothing was rolled back\./,
    );
    expect(pressAnswer({ ...base, state: 'failed', failure: 'no client' }, 'accepted')).toBe(
      'FAST rollback of run r1 could not be started: no client.',
    );
  });

  it('lists the buttons on the CLI with the command that presses each', () => {
    const buttons = [[{ text: 'Confirm FAST rollback of r1', callbackData: 'rbc:k:yes' }], [{ text: 'Cancel', callbackData: 'rbc:k:no' }]];
    expect(describeButtons(buttons, { chat: '5', user: '1' })).toBe(
      [
        'Buttons (press one by running its command):',
        '  [Confirm FAST rollback of r1]  relay send --chat 5 --user 1 --callback rbc:k:yes',
        '  [Cancel]  relay send --chat 5 --user 1 --callback rbc:k:no',
        '',
      ].join('\n'),
    );
    expect(describeButtons(undefined, { chat: '5', user: '1' })).toBe('');
  });
});

describe('/status, /seeds, /health', () => {
  it('shows a run in a few compact lines', () => {
    expect(formatTrainingStatus(run)).toBe(
      [
        'Run r1 RUNNING: epoch 12, step 4800 (state at 2026-01-01T00:00:00.000Z)',
        'Loss: train 0.512 (acc 81.2%), validation 0.600 (acc 78.0%); improving',
        'Epoch latency: last 21.3 ms, p50 13 ms, p95 – over 12 epochs',
        'Seeds: 1 DORMANT, 1 TRAINING',
        'Alerts (1):',
        '- CRITICAL epoch_latency: epoch latency 21 ms over 18 ms (since 2026-01-01T00:00:01.000Z)',
        'Conservative mode: ON (SAFE blueprints only, no new germinations)',
      ].join('\n'),
    );
  });

  it('lists each seed, or says there are none', () => {
    expect(formatSeeds(run)).toBe(
      [
        'Seeds of run r1 at epoch 12:',
        's1 TRAINING since epoch 10, BP007, risk 0.12, grad norm 0.500',
        's2 DORMANT since epoch 0, no blueprint, risk 0.00, grad norm 0',
      ].join('\n'),
    );
    expect(formatSeeds({ ...run, seeds: [] })).toBe('Run r1 has no seeds yet (epoch 12).');
  });

  it('says why coordination is conservative, and how each subsystem is', () => {
    const now = Date.parse('2026-01-01T00:01:00.000Z');
    const health: EsperHealthStatus = {
      conservativeMode: { on: true, since: '2026-01-01T00:00:30.000Z', openBreakers: ['tezzeret'] },
      subsystems: [
        { subsystem: 'tolaria', health: 'HEALTHY', lastSeenAt: '2026-01-01T00:00:55.000Z', breaker: 'closed', consecutiveFailures: 0 },
        {
          subsystem: 'tezzeret',
          health: 'UNKNOWN',
          breaker: 'open',
          consecutiveFailures: 3,
          openedAt: '2026-01-01T00:00:30.000Z',
          halfOpenAt: '2026-01-01T00:01:00.000Z',
          lastFailure: { at: '2026-01-01T00:00:30.000Z', reason: 'missed its heartbeat' },
        },
      ],
      settings: { failureThreshold: 3, openMs: 30_000, heartbeatTimeoutMs: 30_000 },
    };
    expect(formatHealth(health, now)).toBe(
      [
        'Conservative mode: ON since 2026-01-01T00:00:30.000Z, because the breaker of tezzeret is not closed (SAFE blueprints only, no new germinations).',
        'tolaria HEALTHY, seen 5 s ago, breaker closed',
        'tezzeret UNKNOWN, never seen, breaker open since 2026-01-01T00:00:30.000Z, half-open at 2026-01-01T00:01:00.000Z, 3 failure(s) in a row; last failure: missed its heartbeat',
      ].join('\n'),
    );
    expect(ago(0, 3 * 3600_000)).toBe('3 h ago');
    expect(ago(0, 10 * 60_000)).toBe('10 min ago');
  });
});
