/**
 * The simulator's Tamiyo, Kasmina and Tolaria as far as emergency rollback needs them: each takes the ROLLBACK
 * commands addressed to it (see `rollbackCommandId`) and answers with a FieldReport after a seeded delay —
 * SUCCESS, or ABORTED when the answer would go out after the command's execution deadline. A subsystem can be
 * told to miss chosen levels or runs (it never answers them), which is how tests make a deadline pass.
 */
import type { AdaptationCommand, RollbackLevel } from '../contracts/esper/adaptation-command';
import type { EsperMessage } from '../contracts/esper/registry';
import { parseRollbackCommandId, rollbackUnwindOrder, type RollbackSubsystem } from '../contracts/esper/rollback';
import { oonaStreams } from '../contracts/esper/transport';
import { jitter, type Random } from './random';
import type { SimulatedAnswer, SimulatedSubsystem } from './subsystem';

export interface RollbackResponderOptions {
  /** Mean ms before the acknowledgement (±20 %, seeded); 0 answers at once. Default 20. */
  ackDelayMs?: number;
  /** Levels this subsystem never acknowledges, as if it hung: the relay's deadline passes. `all` for every level. */
  missLevels?: readonly RollbackLevel[] | 'all';
  /** Training runs whose commands this subsystem never acknowledges, at any level. */
  missRuns?: readonly string[];
}

/** Settings per subsystem; unnamed subsystems answer every level after the default delay. */
export type RollbackResponderSettings = Partial<Record<RollbackSubsystem, RollbackResponderOptions>>;

/** The rollback commands `subsystem` answers: ROLLBACKs from the relay addressed to it. */
function addressedTo(subsystem: RollbackSubsystem, request: EsperMessage): AdaptationCommand | undefined {
  if (request.kind !== 'adaptation-command' || request.message.type !== 'ROLLBACK') return undefined;
  return parseRollbackCommandId(request.message.commandId)?.subsystem === subsystem ? request.message : undefined;
}

/** One responder: answers its ROLLBACK commands with a FieldReport. */
export function createRollbackResponder(subsystem: RollbackSubsystem, options: RollbackResponderOptions = {}): SimulatedSubsystem {
  const meanMs = options.ackDelayMs ?? 20;
  const misses = (level: RollbackLevel, runId: string) =>
    options.missLevels === 'all' || (options.missLevels ?? []).includes(level) || (options.missRuns ?? []).includes(runId);
  return {
    name: subsystem,
    handles: ['adaptation-command'],
    streams: [oonaStreams.normal],
    accepts: (request) => addressedTo(subsystem, request) !== undefined,
    jobKey: (request) => `rollback:${(request.message as AdaptationCommand).commandId}`,
    answer(request: EsperMessage, random: Random): SimulatedAnswer {
      const command = addressedTo(subsystem, request)!;
      if (command.type !== 'ROLLBACK') return { replies: [], note: `ignores ${command.commandId}` };
      const delayMs = meanMs === 0 ? 0 : jitter(random, meanMs);
      const { level } = command.payload;
      if (misses(level, command.runId)) return { replies: [], note: `never acknowledges ${level} rollback ${command.commandId} (missing)` };
      return {
        replies: [
          {
            delayMs,
            envelopeId: `fr.${command.commandId}`,
            build: (reportedAt: string): EsperMessage => {
              const late = Date.parse(reportedAt) > Date.parse(command.executionDeadline);
              return {
                kind: 'field-report',
                message: {
                  version: 1,
                  reportId: `fr.${command.commandId}`,
                  commandId: command.commandId,
                  runId: command.runId,
                  outcome: late ? 'ABORTED' : 'SUCCESS',
                  observationEpochs: 0,
                  metricDeltas: {},
                  reportedBy: subsystem,
                  reportedAt,
                  notes: late
                    ? `${level} rollback came after its deadline ${command.executionDeadline}: not executed (simulated)`
                    : `${level} rollback done (simulated)`,
                },
              };
            },
          },
        ],
        note: `acknowledges ${level} rollback ${command.commandId} in ${delayMs} ms`,
      };
    },
  };
}

/** Tamiyo, Kasmina and Tolaria, in unwind order. */
export function createRollbackResponders(settings: RollbackResponderSettings = {}): SimulatedSubsystem[] {
  return rollbackUnwindOrder.map((subsystem) => createRollbackResponder(subsystem, settings[subsystem]));
}
