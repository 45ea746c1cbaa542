/**
 * The commands a user types, as real processes: `relay up` (embedded dev server, persisted, Web UI), `relay send`,
 * Ctrl-C, and a second `relay up` on the same data dir.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killRelayProcesses, RELAY_BIN, startRelayProcess, stopRelayProcess } from '../support/relay-process';
import { freePort } from '../../workers/dev-server';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'relay-cli-'));

afterAll(() => {
  killRelayProcesses();
  rmSync(dataDir, { recursive: true, force: true });
});

function relay(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [RELAY_BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('relay command line', () => {
  it('reports every bad setting at once and exits 2, without echoing secrets', () => {
    const result = relay(['send', 'hi'], {
      RELAY_RATE_LIMIT: 'fast',
      RELAY_ADMINS: 'root',
      TELEGRAM_BOT_TOKEN: 'secret-looking-value',
      RELAY_DATA_DIR: dataDir,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('RELAY_RATE_LIMIT');
    expect(result.stderr).toContain('RELAY_ADMINS');
    expect(result.stderr).toContain('TELEGRAM_BOT_TOKEN');
    expect(result.stderr).not.toContain('secret-looking-value');
  });

  it('says how to start the relay when nothing is listening', async () => {
    const result = relay(['send', 'hi'], { TEMPORAL_PORT: String(await freePort()), RELAY_DATA_DIR: dataDir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot reach Temporal at 127\.0\.0\.1:\d+/);
    expect(result.stderr).toContain('npm start');
  });

  it('runs up → send → Ctrl-C, and a second up finds the persisted history', async () => {
    const env = {
      TEMPORAL_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      RELAY_CODEC_PORT: String(await freePort()),
      RELAY_METRICS_LISTEN: `127.0.0.1:${await freePort()}`,
      RELAY_DATA_DIR: dataDir,
      RELAY_LOG_LEVEL: 'warn',
    };
    const first = await startRelayProcess('up', env);
    expect(first.ready).toContain(`metrics http://${env.RELAY_METRICS_LISTEN}/metrics`);
    expect(await (await fetch(`http://${env.RELAY_METRICS_LISTEN}/metrics`)).text()).toContain('relay_telegram_messages_sent_total 0');
    expect(first.ready).toContain(`Temporal Web UI http://127.0.0.1:${env.TEMPORAL_UI_PORT}`);
    const ui = await fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}/`);
    expect(ui.status).toBe(200);
    // Encrypted by default, with a key generated into the data dir, and the codec endpoint for that Web UI.
    expect(first.ready).toMatch(
      new RegExp(`payloads encrypted \\(key local-[0-9a-f]{8}, codec endpoint http://127\\.0\\.0\\.1:${env.RELAY_CODEC_PORT}\\)`),
    );
    expect(statSync(path.join(dataDir, 'encryption-key')).mode & 0o777).toBe(0o600);
    const preflight = await fetch(`http://127.0.0.1:${env.RELAY_CODEC_PORT}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`, 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}`);
    const settings = (await (await fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}/api/v1/settings`)).json()) as {
      Codec: { Endpoint: string };
    };
    expect(settings.Codec.Endpoint).toBe(`http://127.0.0.1:${env.RELAY_CODEC_PORT}`);

    const sent = relay(['send', '--chat', '42', '--user', '7', '--message-id', 'persist-1', '--json', '/whoami'], env);
    expect(sent.status).toBe(0);
    const outcome = JSON.parse(sent.stdout);
    expect(outcome).toMatchObject({
      workflowId: 'msg-cli-42-persist-1',
      outcome: 'answered',
      route: 'command',
      reply: expect.stringContaining('user 7, chat 42'),
    });
    expect(outcome.steps).toHaveLength(5);
    expect(await stopRelayProcess(first.child, 'SIGINT')).toBe(0);

    const second = await startRelayProcess('up', env);
    // The same key after the restart, so the history written before it still decrypts.
    expect(second.ready).toContain(/key (local-[0-9a-f]{8})/.exec(first.ready)![1]);
    // The same message id again: already processed before the restart, so it is answered from history, once.
    const again = relay(['send', '--chat', '42', '--user', '7', '--message-id', 'persist-1', '--json', '/whoami'], env);
    expect(JSON.parse(again.stdout)).toEqual(outcome);
    const plain = relay(['send', '--chat', '42', '--user', '7', '/help'], env);
    expect(plain.stdout).toContain('/workspace');
  }, 120_000);
});
