/**
 * The pure parts of the operator tools: durations, visibility queries, the step timeline read from recorded
 * histories, the replay decision (never re-send a delivered reply), progress output and Web UI links.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { describe, expect, it } from 'vitest';
import { formatDuration, formatTable } from '../../cli/io';
import { webUiLink } from '../../cli/trace';
import { parseDuration } from '../../client/inspect/duration';
import { activitySteps, childSteps, closeEvent, type ActivityStep, type HistoryEvent } from '../../client/inspect/history';
import { startProgress } from '../../client/inspect/progress';
import { describePlan, planReplay } from '../../client/inspect/replay-plan';
import { failedMessagesQuery, recentWorkflowsQuery } from '../../client/inspect/visibility';
import { loadConfig } from '../../contracts/config';

const recorded = (name: string): HistoryEvent[] =>
  historyFromJSON(JSON.parse(readFileSync(path.join(__dirname, '..', 'histories', name), 'utf8'))).events ?? [];
const NOW = Date.parse('2026-01-02T00:00:00Z');

describe('durations', () => {
  it('reads 30m, 24h, 7d', () => {
    expect([parseDuration('30m'), parseDuration('24h'), parseDuration('7d'), parseDuration('45s')]).toEqual([
      1_800_000, 86_400_000, 604_800_000, 45_000,
    ]);
  });
  it.each(['', '24', 'h', '3x', '0h', '-1d', '1.5h'])('refuses %j with the expected form', (text) => {
    expect(() => parseDuration(text)).toThrow('must look like 30m, 24h or 7d');
  });
  it('prints durations the way people read them', () => {
    expect([formatDuration(850), formatDuration(4_200), formatDuration(185_000), formatDuration(undefined)]).toEqual([
      '850 ms',
      '4.2 s',
      '3 min 5 s',
      '',
    ]);
  });
});

describe('visibility queries', () => {
  it('finds failed, timed out, terminated and canceled message workflows since a time, optionally of one chat', () => {
    expect(failedMessagesQuery({ sinceMs: 86_400_000, chatId: '42', now: NOW })).toBe(
      `WorkflowType = 'messageWorkflow' AND (ExecutionStatus = 'Failed' OR ExecutionStatus = 'TimedOut' OR ` +
        `ExecutionStatus = 'Terminated' OR ExecutionStatus = 'Canceled') AND StartTime >= '2026-01-01T00:00:00.000Z' AND RelayChatId = "42"`,
    );
    expect(failedMessagesQuery({ sinceMs: 60_000, now: NOW })).not.toContain('RelayChatId');
  });
  it('refuses a chat id that would inject a clause', () => {
    expect(() => failedMessagesQuery({ sinceMs: 1, chatId: '1" OR RelayChatId != "' })).toThrow('chat id must be numeric');
  });
  it('lists both relay workflow types for replay-check', () => {
    expect(recentWorkflowsQuery(['messageWorkflow', 'chatSessionWorkflow'], 3_600_000, NOW)).toBe(
      `(WorkflowType = 'messageWorkflow' OR WorkflowType = 'chatSessionWorkflow') AND StartTime >= '2026-01-01T23:00:00.000Z'`,
    );
  });
});

describe('step timeline from a history', () => {
  it('shows a step that succeeded on its second attempt, with the failure of the first', () => {
    const steps = activitySteps(recorded('message-claude-529-retried.json'));
    expect(steps.map((step) => [step.activityType, step.status, step.attempts])).toEqual([
      ['securityGate', 'completed', 1],
      ['buildContext', 'completed', 1],
      ['routeMessage', 'completed', 1],
      ['orchestrateAgent', 'completed', 2],
      ['deliverResponse', 'completed', 1],
    ]);
    const agent = steps[3]!;
    expect(agent.lastFailure?.applicationFailureInfo?.type).toBe('RemoteThrottled');
    expect(agent.scheduledByEventId).toBe(22);
    expect(agent.durationMs).toBeGreaterThanOrEqual(0);
  });
  it("lists a chat session's children and finds the close event", () => {
    const events = recorded('chat-session-four-messages.json');
    expect(childSteps(events)).toHaveLength(4);
    expect(childSteps(events).every((child) => child.workflowType === 'messageWorkflow' && child.status === 'completed')).toBe(true);
    expect(closeEvent(recorded('message-answered.json'))?.workflowExecutionCompletedEventAttributes).toBeTruthy();
  });
});

describe('replay decision', () => {
  /** The 529 history cut at the agent step, which then failed for good: what a failed message looks like. */
  function failedAtAgent(): HistoryEvent[] {
    const events = recorded('message-claude-529-retried.json').filter((event) => Number(event.eventId) <= 24);
    const failure = {
      message: 'Claude rejected the request (404)',
      applicationFailureInfo: { type: 'RemoteRejected', nonRetryable: true },
    };
    return [
      ...events,
      { eventId: 25, activityTaskStartedEventAttributes: { scheduledEventId: 24, attempt: 1 } },
      { eventId: 26, activityTaskFailedEventAttributes: { scheduledEventId: 24, failure } },
    ] as HistoryEvent[];
  }

  it('resets a failed message to the workflow task that scheduled the failed step', () => {
    const plan = planReplay('messageWorkflow', 'FAILED', activitySteps(failedAtAgent()));
    expect(plan).toEqual({ action: 'reset', eventId: 22, step: 'orchestrateAgent' });
    expect(describePlan(plan)).toBe('reset to event 22 (re-runs orchestrateAgent)');
  });
  it('never replays a message whose reply was delivered, even if the run failed afterwards', () => {
    expect(planReplay('messageWorkflow', 'TERMINATED', activitySteps(recorded('message-answered.json')))).toEqual({
      action: 'skip',
      reason: 'already delivered',
    });
  });
  it('skips runs that did not fail and workflows that are not messages', () => {
    expect(describePlan(planReplay('messageWorkflow', 'COMPLETED', []))).toBe('skipped: not failed (completed)');
    expect(describePlan(planReplay('messageWorkflow', 'RUNNING', []))).toBe('skipped: not failed (running)');
    expect(describePlan(planReplay('chatSessionWorkflow', 'FAILED', []))).toBe('skipped: not a message workflow (chatSessionWorkflow)');
  });
  it('resumes a run terminated mid-step at that step, and restarts one that never ran a step', () => {
    const running: ActivityStep = {
      activityType: 'buildContext',
      activityId: '2',
      scheduledEventId: 11,
      scheduledByEventId: 10,
      status: 'running',
      attempts: 1,
    };
    expect(planReplay('messageWorkflow', 'TERMINATED', [running])).toMatchObject({ action: 'reset', eventId: 10 });
    expect(planReplay('messageWorkflow', 'TIMED_OUT', [])).toEqual({ action: 'restart' });
  });
});

describe('output helpers', () => {
  it('draws a bar on a terminal and only occasional plain lines elsewhere', () => {
    let terminal = '';
    const bar = startProgress({ write: (text) => (terminal += text), isTTY: true }, 'replaying', 4);
    bar.tick('msg-1');
    expect(terminal).toContain('[######------------------] 1/4 replaying msg-1');
    bar.done();
    expect(terminal.endsWith('\r\x1b[2K')).toBe(true);

    let plain = '';
    let clock = 0;
    const lines = startProgress({ write: (text) => (plain += text), isTTY: false }, 'replaying', 3, () => clock);
    lines.tick();
    expect(plain).toBe('');
    clock = 2_500;
    lines.tick();
    lines.tick();
    lines.done();
    expect(plain).toBe('replaying: 2/3\nreplaying: 3/3 done\n');
  });
  it('aligns tables and links the embedded Web UI only when TEMPORAL_ADDRESS is unset', () => {
    expect(formatTable(['A', 'B'], [['long value', 'x']])).toBe('A           B\nlong value  x\n');
    const embedded = loadConfig({ TEMPORAL_UI_PORT: '8299', TEMPORAL_NAMESPACE: 'ops' }, '/nonexistent/.env');
    expect(webUiLink(embedded, 'msg-cli-42-m 1')).toBe('http://127.0.0.1:8299/namespaces/ops/workflows/msg-cli-42-m%201');
    expect(webUiLink(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }, '/nonexistent/.env'), 'x')).toBeUndefined();
  });
});
