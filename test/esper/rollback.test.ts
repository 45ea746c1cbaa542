/**
 * Emergency rollback without Temporal: the ids that make a signal map to one workflow and a report to its run,
 * which signal asks for which level, where a failure escalates, and what the simulated subsystems answer.
 */
import { describe, expect, it } from 'vitest';
import { createRollbackResponder, createRollbackResponders } from '../../simulator/rollback-responders';
import { randomFor } from '../../simulator/random';
import type { RollbackLevel } from '../../contracts/esper/adaptation-command';
import { esperIdSchema } from '../../contracts/esper/common';
import { parseEsperMessage, type EsperMessage } from '../../contracts/esper/registry';
import {
  emergencyTriggerId,
  parseRollbackCommandId,
  rollbackCommandId,
  rollbackEscalation,
  rollbackLevelForEmergency,
  rollbackWorkflowId,
  type RollbackSubsystem,
} from '../../contracts/esper/rollback';

const ISSUED = '2025-06-01T12:00:00.000Z';
const command = (subsystem: RollbackSubsystem, level: RollbackLevel = 'FAST', runId = 'run-1'): EsperMessage => ({
  kind: 'adaptation-command',
  message: {
    version: 1,
    type: 'ROLLBACK',
    commandId: rollbackCommandId(rollbackWorkflowId(runId, 'tolaria-1'), level, subsystem),
    runId,
    issuedAt: ISSUED,
    issuedBy: 'relay',
    executionDeadline: '2025-06-01T12:00:00.500Z',
    payload: { level, reason: 'loss spike' },
  },
});

describe('rollback ids', () => {
  it('gives every copy of a signal the same workflow id, and leads a command id back to it', () => {
    const signal = { origin: 'tolaria' as const, raisedAt: '2025-06-01T12:00:00.000Z' };
    expect(rollbackWorkflowId('run-1', emergencyTriggerId(signal))).toBe('rollback-run-1-tolaria-1748779200000');
    const id = rollbackCommandId('rollback-run-1-tolaria-1748779200000', 'FREEZE', 'kasmina');
    expect(parseRollbackCommandId(id)).toEqual({
      workflowId: 'rollback-run-1-tolaria-1748779200000',
      level: 'FREEZE',
      subsystem: 'kasmina',
    });
    expect(parseRollbackCommandId('cmd-0a1b2c3d')).toBeUndefined();
  });

  it('shortens an over-long run id so command and report ids stay valid Esper ids', () => {
    const workflowId = rollbackWorkflowId('r'.repeat(128), 'admin-m1');
    expect(workflowId.length).toBeLessThanOrEqual(100);
    expect(rollbackWorkflowId('r'.repeat(128), 'admin-m1')).toBe(workflowId);
    expect(rollbackWorkflowId('r'.repeat(127) + 's', 'admin-m1')).not.toBe(workflowId);
    const commandId = rollbackCommandId(workflowId, 'FREEZE', 'kasmina');
    expect(esperIdSchema.safeParse(`fr.${commandId}`).success).toBe(true);
    expect(parseRollbackCommandId(commandId)?.workflowId).toBe(workflowId);
  });
});

describe('rollback levels', () => {
  it('maps emergency levels to a starting level; NOTICE and the relay’s own signals start none', () => {
    const levelOf = (level: 'NOTICE' | 'ELEVATED' | 'CONSERVATIVE' | 'HALT', origin: 'tolaria' | 'relay' = 'tolaria') =>
      rollbackLevelForEmergency({ level, origin });
    expect([levelOf('NOTICE'), levelOf('ELEVATED'), levelOf('CONSERVATIVE'), levelOf('HALT')]).toEqual([
      undefined,
      'FREEZE',
      'FAST',
      'FULL',
    ]);
    expect(levelOf('HALT', 'relay')).toBeUndefined();
  });

  it('escalates freeze → fast → full → HALT, and tune → full', () => {
    const chain = (from: RollbackLevel) => {
      const path: string[] = [from];
      for (let level: RollbackLevel | 'HALT' = from; level !== 'HALT';) path.push((level = rollbackEscalation[level]));
      return path.join(' → ');
    };
    expect(chain('FREEZE')).toBe('FREEZE → FAST → FULL → HALT');
    expect(chain('TUNE')).toBe('TUNE → FULL → HALT');
  });
});

describe('rollback responders (simulated Tamiyo, Kasmina, Tolaria)', () => {
  it('each takes only the commands addressed to it, in unwind order', () => {
    const responders = createRollbackResponders();
    expect(responders.map((r) => r.name)).toEqual(['tamiyo', 'kasmina', 'tolaria']);
    expect(responders.map((r) => r.accepts!(command('kasmina')))).toEqual([false, true, false]);
  });

  it('acknowledges with a valid FieldReport after a seeded delay, the same for the same seed', () => {
    const answer = () => createRollbackResponder('tamiyo', { ackDelayMs: 100 }).answer(command('tamiyo'), randomFor(7, 'job'));
    const [reply] = answer().replies;
    expect(reply!.delayMs).toBeGreaterThanOrEqual(80);
    expect(reply!.delayMs).toBeLessThanOrEqual(120);
    expect(answer().replies[0]!.delayMs).toBe(reply!.delayMs);
    const report = reply!.build('2025-06-01T12:00:00.100Z');
    expect(report).toMatchObject({ kind: 'field-report', message: { outcome: 'SUCCESS', reportedBy: 'tamiyo' } });
    expect(parseEsperMessage(report.kind, report.message).ok).toBe(true);
    expect(createRollbackResponder('tamiyo', { ackDelayMs: 0 }).answer(command('tamiyo'), randomFor(7, 'job')).replies[0]!.delayMs).toBe(0);
  });

  it('answers ABORTED after the deadline, and nothing for a level or run it is told to miss', () => {
    const [late] = createRollbackResponder('tolaria').answer(command('tolaria'), randomFor(7, 'job')).replies;
    expect(late!.build('2025-06-01T12:00:01.000Z').message).toMatchObject({ outcome: 'ABORTED' });
    expect(
      createRollbackResponder('kasmina', { missLevels: ['FREEZE'] }).answer(command('kasmina', 'FREEZE'), randomFor(7, 'j')).replies,
    ).toEqual([]);
    expect(
      createRollbackResponder('kasmina', { missLevels: ['FREEZE'] }).answer(command('kasmina', 'FAST'), randomFor(7, 'j')).replies,
    ).toHaveLength(1);
    expect(
      createRollbackResponder('tolaria', { missRuns: ['run-x'] }).answer(command('tolaria', 'FULL', 'run-x'), randomFor(7, 'j')).replies,
    ).toEqual([]);
  });
});
