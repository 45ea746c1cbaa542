/**
 * `relay replay-check` against the current workflow code: the committed histories pass, a deliberately changed
 * workflow (or a history recorded by different code) is reported as non-determinism, and recent executions are
 * fetched from the real dev server.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReplayCheck, type ReplayCheckOptions } from '../../cli/replay-check';
import { captureIo } from '../support/capture-io';
import { startHarness, uniqueChatId, type Harness } from '../support/harness';

const HISTORIES = path.join(__dirname, '..', 'histories');
const committed = readdirSync(HISTORIES)
  .filter((file) => file.endsWith('.json'))
  .map((file) => path.join(HISTORIES, file));
const ALTERED_WORKFLOWS = path.join(__dirname, '..', 'replay', 'altered-workflows.ts');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'relay-replay-check-'));

describe('relay replay-check', () => {
  let relay: Harness;
  beforeAll(async () => {
    relay = await startHarness();
  });
  afterAll(async () => {
    await relay?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const check = (options: Partial<ReplayCheckOptions>) => {
    const captured = captureIo();
    return runReplayCheck(relay.config, { limit: 50, ...options }, captured.io).then((report) => ({ report, out: captured.out() }));
  };

  it('passes every committed history', async () => {
    const { report, out } = await check({ files: committed });
    expect(report.results.map((result) => [path.basename(result.source), result.status])).toEqual(
      committed.map((file) => [path.basename(file), 'ok']),
    );
    expect(report.ok).toBe(true);
    expect(out).toContain(`all ${committed.length} histories replay against the current workflow code`);
  });

  it('reports non-determinism when the workflow code reorders the pipeline', async () => {
    const answered = path.join(HISTORIES, 'message-answered.json');
    const { report, out } = await check({ files: [answered], workflowsPath: ALTERED_WORKFLOWS });
    expect(report.ok).toBe(false);
    expect(report.results).toEqual([
      expect.objectContaining({ source: answered, status: 'non-determinism', error: expect.stringMatching(/Nondeterminism error/) }),
    ]);
    expect(out).toContain('1 of 1 histories FAIL to replay');
  });

  it('reports non-determinism for a history recorded by code that routed before the gate, and unreadable files', async () => {
    const history = JSON.parse(readFileSync(path.join(HISTORIES, 'message-answered.json'), 'utf8'));
    const firstScheduled = history.events.find((event: Record<string, unknown>) => event.activityTaskScheduledEventAttributes);
    firstScheduled.activityTaskScheduledEventAttributes.activityType.name = 'routeMessage';
    const older = path.join(scratch, 'older-code.json');
    writeFileSync(older, JSON.stringify(history));
    const broken = path.join(scratch, 'broken.json');
    writeFileSync(broken, '{ not json');

    const { report } = await check({ files: [older, broken] });
    expect(report.ok).toBe(false);
    expect(report.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: older, status: 'non-determinism', error: expect.stringContaining('routeMessage') }),
        expect.objectContaining({ source: broken, status: 'error', error: expect.stringContaining('cannot read a history') }),
      ]),
    );
  });

  it('replays the executions the server holds for the last minutes', async () => {
    const chatId = uniqueChatId();
    const outcome = await relay.send('/help', { chatId });
    const { report } = await check({ sinceMs: 10 * 60_000 });
    const ours = report.results.filter((result) => result.source === outcome.workflowId || result.source === `chat-cli-${chatId}`);
    expect(ours.map((result) => [result.source, result.status]).sort()).toEqual([
      [`chat-cli-${chatId}`, 'ok'],
      [outcome.workflowId, 'ok'],
    ]);
  });

  it('needs exactly one of --since and --file', async () => {
    await expect(check({})).rejects.toThrow('give --since DURATION or --file HISTORY.json ... (one of the two)');
    await expect(check({ sinceMs: 60_000, files: committed })).rejects.toThrow('one of the two');
  });
});
