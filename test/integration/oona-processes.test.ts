/**
 * The production shape of the Esper side, as separate processes on the machine's real Redis: `relay worker`
 * with ESPER_REDIS_URL talks Oona, and `relay esper-sim` plays Esper on the same streams (same key prefix and
 * shared secret). A compile asked for in chat and an EmergencySignal raised on the bus both cross Redis both ways.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createOonaRedisTransport } from '../../bus/oona-redis';
import type { BlueprintPipelineReport } from '../../contracts/esper/blueprint-pipeline';
import type { EmergencySignal } from '../../contracts/esper/emergency-signal';
import { sealEsperMessage } from '../../contracts/esper/envelope-signing';
import { emergencyTriggerId, rollbackWorkflowId, type EmergencyRollbackReport } from '../../contracts/esper/rollback';
import { oonaStreams } from '../../contracts/esper/transport';
import { connectTestRedis, ensureRedis } from '../support/redis';
import { killRelayProcesses, RELAY_BIN, startRelayProcess, stopRelayProcess } from '../support/relay-process';

const SECRET = `oona-test-secret-${randomUUID()}`;
const keyPrefix = `test-${randomUUID()}:`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'relay-oona-'));
const env = {
  TEMPORAL_ADDRESS: inject('temporalAddress'),
  TEMPORAL_TASK_QUEUE: `oona-${randomUUID()}`,
  RELAY_DATA_DIR: dataDir,
  RELAY_ADMINS: '1',
  RELAY_ENCRYPTION: 'off',
  RELAY_METRICS_LISTEN: 'off',
  RELAY_CHANNELS: 'cli',
  RELAY_LOG_LEVEL: 'warn',
  ESPER_REDIS_URL: 'redis://127.0.0.1:6379',
  ESPER_SIGNING_SECRETS: SECRET,
  ESPER_KEY_PREFIX: keyPrefix,
};

/** `relay send --json` as user 1 (the admin), asynchronously so the test's own timers keep running. */
function send(text: string): Promise<{ reply: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RELAY_BIN, 'send', '--user', '1', '--json', text], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { reply: string }) : reject(new Error(`relay send: ${err}`))));
  });
}

describe('relay worker and relay esper-sim over Oona on Redis', () => {
  let redis: Redis;
  let client: Client;
  let workerReady: string;
  let worker: ChildProcess;
  let simulator: ChildProcess;

  beforeAll(async () => {
    await ensureRedis();
    redis = connectTestRedis();
    await redis.connect();
    client = new Client({ connection: await Connection.connect({ address: env.TEMPORAL_ADDRESS }) });
    const [started, sim] = await Promise.all([startRelayProcess('worker', env), startRelayProcess('esper-sim', env)]);
    ({ child: worker, ready: workerReady } = started);
    simulator = sim.child;
  }, 60_000);

  afterAll(async () => {
    killRelayProcesses();
    await client?.connection.close();
    if (redis) {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says at start which bus it uses, without the simulator in the relay itself', () => {
    expect(workerReady).toContain(`Esper: Oona on redis://127.0.0.1:6379 (keys ${keyPrefix}*);`);
    expect(workerReady).not.toContain('simulator');
  });

  it('compiles a blueprint asked for in chat: the request and the answers cross Redis', async () => {
    const { reply } = await send('/compile BP007');
    const workflowId = /Started (bp-BP007-\S+):/.exec(reply)?.[1];
    expect(workflowId, reply).toBeDefined();
    const report: BlueprintPipelineReport = await client.workflow.getHandle(workflowId!).result();
    expect(report.blueprintId).toBe('BP007');
    expect(['VALIDATED', 'INVALID', 'REJECTED']).toContain(report.outcome);
    expect(await redis.xlen(`${keyPrefix}${oonaStreams.kernelRequests}`)).toBeGreaterThanOrEqual(1);
    const answers =
      (await redis.xlen(`${keyPrefix}${oonaStreams.kernelReady}`)) + (await redis.xlen(`${keyPrefix}${oonaStreams.kernelErrors}`));
    expect(answers).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('rolls back on an EmergencySignal published to Redis, each subsystem acknowledging over Redis', async () => {
    const signal: EmergencySignal = {
      version: 1,
      level: 'CONSERVATIVE',
      reason: 'validation loss diverged (test)',
      origin: 'tolaria',
      runId: `run-${randomUUID().slice(0, 8)}`,
      raisedAt: new Date().toISOString(),
    };
    const publisher = createOonaRedisTransport(redis, { secrets: [SECRET], keyPrefix });
    const envelope = sealEsperMessage(
      { kind: 'emergency-signal', payload: signal, id: randomUUID(), origin: 'tolaria', sentAt: new Date() },
      SECRET,
    );
    await publisher.publish(oonaStreams.emergency, envelope);

    // The worker's ingress starts the rollback once it read the signal from Redis.
    const handle = client.workflow.getHandle(rollbackWorkflowId(signal.runId, emergencyTriggerId(signal)));
    await vi.waitFor(() => handle.describe(), { timeout: 15_000, interval: 100 });
    const report = (await handle.result()) as EmergencyRollbackReport;
    expect(report).toMatchObject({ outcome: 'ROLLED_BACK', startLevel: 'FAST', levelReached: 'FAST' });
    expect(report.steps.map((step) => `${step.subsystem} ${step.result}`)).toEqual([
      'tamiyo ACKNOWLEDGED',
      'kasmina ACKNOWLEDGED',
      'tolaria ACKNOWLEDGED',
    ]);
  }, 60_000);

  it('stops both processes cleanly on Ctrl-C', async () => {
    expect(await Promise.all([stopRelayProcess(worker, 'SIGINT'), stopRelayProcess(simulator, 'SIGINT')])).toEqual([0, 0]);
  }, 30_000);
});
