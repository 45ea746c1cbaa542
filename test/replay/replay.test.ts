/**
 * Replays the recorded histories in test/histories against the current workflow code: a change that would
 * break running workflows fails here, before a deploy. A deliberately altered workflow proves the check bites.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { EncryptionCodec } from '../../contracts/payload-codec';
import { workflowBundle } from '../support/harness';

const HISTORIES = path.join(__dirname, '..', 'histories');
const files = readdirSync(HISTORIES).filter((file) => file.endsWith('.json'));
const load = (file: string) => historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')));
// The relay replays through its encryption codec; the committed histories are plaintext and must pass through it.
const dataConverter = { payloadCodecs: [new EncryptionCodec([{ id: 'replay', secret: randomBytes(32).toString('base64') }])] };

describe('replay of recorded histories', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter }, load(file), file);
  });

  it('detects a workflow change that reorders the pipeline', async () => {
    const altered = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'altered-workflows.ts'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    await expect(Worker.runReplayHistory({ workflowBundle: altered, dataConverter }, load('message-answered.json'))).rejects.toThrow(
      /Nondeterminism error: Activity type of scheduled event 'securityGate'/,
    );
  });
});
