/**
 * The /rollback confirmation from the command line: `relay send` prints the buttons with the command that
 * presses each, and `relay send --callback DATA` presses one. Real `relay` processes against the test's worker.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { RELAY_BIN } from '../support/relay-process';
import { uniqueChatId } from '../support/harness';
import { ADMIN, startEsperHarness, type EsperHarness } from '../support/esper-harness';

const run = promisify(execFile);

describe('rollback confirmation from the CLI', () => {
  let relay: EsperHarness;
  const chat = uniqueChatId();

  beforeAll(async () => {
    relay = await startEsperHarness({ esperDeps: { rollbackConfirmationMs: 30_000 } });
  });
  afterAll(async () => relay?.stop());

  /** `relay send ARGS` as the admin, against this test's worker (same task queue, same encryption key). */
  const send = async (...args: string[]) => {
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: relay.config.temporal.taskQueue,
      RELAY_DATA_DIR: relay.config.dataDir,
      RELAY_ADMINS: ADMIN,
      RELAY_LOG_LEVEL: 'warn',
    };
    const { stdout } = await run(process.execPath, [RELAY_BIN, 'send', '--chat', chat, '--user', ADMIN, ...args], { env, timeout: 60_000 });
    return stdout;
  };

  it('lists the buttons and presses Confirm with --callback', async () => {
    const asked = await send('/rollback', 'fast', 'run-cli-1');
    const lines = asked.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Roll back run run-cli-1 at FAST\? An admin must confirm within 30 s/);
    expect(lines[1]).toBe('Buttons (press one by running its command):');
    const confirm = new RegExp(
      `^ {2}\\[Confirm FAST rollback of run-cli-1\\] {2}relay send --chat ${chat} --user ${ADMIN} --callback (rbc:[a-z0-9]+:yes)$`,
    );
    expect(lines[2]).toMatch(confirm);
    expect(lines[3]).toMatch(/^ {2}\[Cancel\] {2}relay send .* --callback rbc:[a-z0-9]+:no$/);

    const pressed = await send('--callback', confirm.exec(lines[2]!)![1]!);
    expect(pressed).toMatch(new RegExp(`^FAST rollback of run run-cli-1 started by user ${ADMIN} as rollback-run-cli-1-admin-confirm-`));
  });
});
