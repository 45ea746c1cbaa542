/**
 * The simulator's Tolaria running one training run: every epoch (default 1 s) it publishes a signed
 * SystemStatePacket v2 and a TelemetryPacket on the bus, as a real Tolaria would, and never waits for anyone. It
 * keeps recent checkpoints; a ROLLBACK command addressed to Tolaria for this run restores the newest one before
 * the current epoch, or the one it names (the epoch goes back; a FREEZE restores nothing), and CIRCUIT_BREAKER
 * commands put it in conservative mode while any breaker is open. Deterministic for a given seed (see
 * `training-model.ts`).
 */
import type { AdaptationCommand } from '../contracts/esper/adaptation-command';
import { sealEsperMessage } from '../contracts/esper/envelope-signing';
import type { EsperMessage } from '../contracts/esper/registry';
import { parseRollbackCommandId } from '../contracts/esper/rollback';
import { trainingTelemetry } from '../contracts/esper/training-run';
import { oonaStreams, streamFor, type EsperDelivery, type EsperTransport } from '../contracts/esper/transport';
import { initialSnapshot, simulateEpoch, type RunSnapshot, type TrainingModelSettings } from './training-model';

export interface SimulatedTrainingRunOptions {
  /** Default `sim-run-1`. */
  runId?: string;
  /** Same seed, same run (default 1). */
  seed?: number;
  /** Wall time per epoch (default 1000 ms). */
  epochIntervalMs?: number;
  /** Epochs to train, then report the run finished; absent = train until stopped. */
  epochs?: number;
  /** Epochs whose boundary latency spikes over the 18 ms budget (tests). */
  latencySpikesAt?: readonly number[];
  /** How long a culled seed stays embargoed (default 30 s), counted in epochs of `epochIntervalMs`. */
  embargoMs?: number;
  /** Seed slots (default 4). */
  seedSlots?: number;
  /** A checkpoint every this many epochs (default 5); the newest 4 are kept. */
  checkpointEvery?: number;
  clock?: () => number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

const CHECKPOINTS_KEPT = 4;

export class SimulatedTrainingRun {
  readonly runId: string;
  /** Checkpoints restored so far. */
  restores = 0;
  /** Subsystems whose breaker the relay reported open. */
  readonly openBreakers = new Set<string>();
  private snapshot: RunSnapshot;
  private readonly checkpoints: Array<{ id: string; snapshot: RunSnapshot }> = [];
  private readonly settings: TrainingModelSettings;
  private readonly handledCommands = new Set<string>();
  private readonly log: NonNullable<SimulatedTrainingRunOptions['log']>;
  /**
   * Names this start of the run in envelope ids: a restarted simulator trains the same run id again from epoch 0,
   * and its packets must not look like copies of the ones the previous process sent (the entity would drop them).
   */
  private readonly session: string;
  private running?: { controller: AbortController; consumer: Promise<void>; timer?: NodeJS.Timeout; epoch?: Promise<void> };

  constructor(private readonly options: SimulatedTrainingRunOptions & { transport: EsperTransport; signingSecret: string }) {
    this.runId = options.runId ?? 'sim-run-1';
    const intervalMs = options.epochIntervalMs ?? 1_000;
    this.settings = {
      runId: this.runId,
      seed: options.seed ?? 1,
      seedSlots: options.seedSlots ?? 4,
      stepsPerEpoch: 390,
      embargoEpochs: Math.max(1, Math.ceil((options.embargoMs ?? 30_000) / intervalMs)),
      latencySpikesAt: options.latencySpikesAt ?? [],
    };
    this.snapshot = initialSnapshot(this.settings);
    this.log = options.log ?? (() => undefined);
    this.session = (options.clock ?? Date.now)().toString(36);
  }

  /** The last epoch published (-1 before the first). */
  get epoch(): number {
    return this.snapshot.epoch;
  }

  get conservative(): boolean {
    return this.openBreakers.size > 0;
  }

  /** Starts training (the first epoch after one interval) and listening for commands. */
  start(): void {
    if (this.running) return;
    const controller = new AbortController();
    const consumer = this.options.transport.consume({
      streams: [oonaStreams.normal],
      group: `esper-simulator-training-${this.runId}`,
      consumer: 'simulator-1',
      handler: async (delivery) => this.receive(delivery),
      signal: controller.signal,
    });
    this.running = { controller, consumer };
    this.schedule();
    this.log(`simulator tolaria started training run ${this.runId} (seed ${this.settings.seed})`);
  }

  /** Stops training and listening. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    clearTimeout(running.timer);
    running.controller.abort();
    await running.epoch;
    await running.consumer;
    this.log(`simulator tolaria stopped training run ${this.runId} at epoch ${this.epoch}`);
  }

  private schedule(): void {
    const running = this.running;
    if (!running) return;
    running.timer = setTimeout(() => {
      running.epoch = this.runEpoch().then(() => this.schedule());
    }, this.options.epochIntervalMs ?? 1_000);
  }

  private async runEpoch(): Promise<void> {
    const capturedAt = new Date((this.options.clock ?? Date.now)()).toISOString();
    const result = simulateEpoch(this.snapshot, this.settings, { conservative: this.conservative, restores: this.restores, capturedAt });
    this.snapshot = result.snapshot;
    for (const note of result.notes) this.log(`simulator kasmina: ${note}`, { runId: this.runId, epoch: this.epoch });
    const every = this.options.checkpointEvery ?? 5;
    if (this.epoch % every === 0) {
      this.checkpoints.push({ id: `${this.runId}.ckpt.${this.epoch}.${this.restores}`, snapshot: this.snapshot });
      if (this.checkpoints.length > CHECKPOINTS_KEPT) this.checkpoints.shift();
    }
    const tag = `${this.runId}.${this.session}.e${this.epoch}.r${this.restores}`;
    await this.publish({ kind: 'system-state', message: result.state }, `${tag}.state`);
    const finished = this.options.epochs !== undefined && this.epoch + 1 >= this.options.epochs;
    const events = finished
      ? [{ name: trainingTelemetry.runFinished, severity: 'INFO' as const, message: `trained ${this.epoch + 1} epochs`, at: capturedAt }]
      : [];
    await this.publish({ kind: 'telemetry', message: { ...result.telemetry, events } }, `${tag}.telemetry`);
    if (finished) {
      this.log(`simulator tolaria finished training run ${this.runId} at epoch ${this.epoch}`);
      clearTimeout(this.running?.timer);
      if (this.running) this.running.controller.abort();
      this.running = undefined;
    }
  }

  private async publish(message: EsperMessage, id: string): Promise<void> {
    const sentAt = new Date((this.options.clock ?? Date.now)());
    const envelope = sealEsperMessage(
      { kind: message.kind, payload: message.message, id, origin: 'tolaria', sentAt },
      this.options.signingSecret,
    );
    try {
      await this.options.transport.publish(streamFor(message), envelope);
    } catch (error) {
      // Training never waits for the bus: a packet that cannot be published is lost, as in Esper.
      this.log(`simulator tolaria could not publish ${id}: ${(error as Error).message}`);
    }
  }

  private receive(delivery: EsperDelivery): void {
    if (delivery.kind !== 'adaptation-command' || this.handledCommands.has(delivery.message.commandId)) return;
    const command = delivery.message;
    if (command.type === 'CIRCUIT_BREAKER') {
      this.handledCommands.add(command.commandId);
      if (command.payload.action === 'OPEN') this.openBreakers.add(command.payload.subsystem);
      else this.openBreakers.delete(command.payload.subsystem);
      this.log(`simulator tolaria: ${command.payload.subsystem} breaker ${command.payload.action}, conservative ${this.conservative}`);
    } else if (command.type === 'ROLLBACK' && command.runId === this.runId) {
      if (parseRollbackCommandId(command.commandId)?.subsystem !== 'tolaria') return;
      this.handledCommands.add(command.commandId);
      this.restore(command);
    }
  }

  /** Restores the asked-for checkpoint, or the newest one before the current epoch; a FREEZE restores nothing. */
  private restore(command: Extract<AdaptationCommand, { type: 'ROLLBACK' }>): void {
    const { level, checkpointId } = command.payload;
    if (level === 'FREEZE') return;
    // The current state is what went wrong: the newest checkpoint from before it, unless one is named.
    const before = this.checkpoints.filter((c) => c.snapshot.epoch < this.epoch);
    const checkpoint = this.checkpoints.find((c) => c.id === checkpointId) ?? before.at(-1);
    if (!checkpoint) return this.log(`simulator tolaria: no checkpoint to restore for ${command.commandId}`);
    const from = this.epoch;
    this.snapshot = checkpoint.snapshot;
    this.restores += 1;
    this.log(`simulator tolaria restored ${checkpoint.id} (${level}): epoch ${from} → ${this.epoch}`, { runId: this.runId });
  }
}
