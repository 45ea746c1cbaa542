/**
 * The Esper simulator: stands in for the real Esper subsystems on a bus, speaking the same contracts. It consumes
 * the relay's requests (compile, validate, rollback commands), lets each simulated subsystem decide its answer
 * from a seeded generator, and publishes the signed replies after the simulated delay. Same seed, same answers. Used by
 * `relay up` (no real Esper yet) and by the tests; every log line says "simulator".
 */
import { sealEsperMessage } from '../contracts/esper/envelope-signing';
import type { EsperMessage } from '../contracts/esper/registry';
import { streamFor, type EsperDelivery, type EsperTransport } from '../contracts/esper/transport';
import { esperSubsystems, type EsperSubsystem } from '../contracts/esper/common';
import { SimulatorHeartbeats, type HeartbeatOptions } from './heartbeats';
import { randomFor } from './random';
import { createRollbackResponders, type RollbackResponderSettings } from './rollback-responders';
import { SimulatedTrainingRun, type SimulatedTrainingRunOptions } from './training-run';
import type { ScheduledReply, SimulatedSubsystem } from './subsystem';
import { createTezzeret, type TezzeretOptions } from './tezzeret';
import { createUrabrask, type UrabraskOptions } from './urabrask';

/** The consumer group of the simulator on the bus (it sees every request once, beside the relay's groups). */
export const SIMULATOR_GROUP = 'esper-simulator';
const PUBLISHED_KEPT = 1_000;

export interface EsperSimulatorOptions {
  transport: EsperTransport;
  /** The bus's shared secret: the simulator signs like a real subsystem. */
  signingSecret: string;
  /** Same seed, same answers (default 1). */
  seed?: number;
  /** Milliseconds since the epoch, for the replies' timestamps; injected by tests. */
  clock?: () => number;
  tezzeret?: TezzeretOptions;
  urabrask?: UrabraskOptions;
  /** Tamiyo, Kasmina and Tolaria answering emergency rollback commands (delays, levels they miss). */
  rollback?: RollbackResponderSettings;
  /** Further simulated subsystems. */
  subsystems?: readonly SimulatedSubsystem[];
  /** Tolaria training one run (state and telemetry every epoch); absent = no training run. */
  trainingRun?: SimulatedTrainingRunOptions;
  /** Every subsystem played publishes a HEALTHY TelemetryPacket this often; `false` turns heartbeats off. */
  heartbeats?: HeartbeatOptions | false;
  /** One line per decision and per reply, each starting with "simulator". */
  log?: (line: string, fields?: Record<string, unknown>) => void;
  consumer?: string;
}

/** A reply the simulator put on the bus. */
export interface SimulatorReply {
  envelopeId: string;
  message: EsperMessage;
}

export class EsperSimulator {
  /** The newest replies published, oldest first. */
  readonly published: SimulatorReply[] = [];
  /** Requests for a job already answered (or being answered), ignored. */
  duplicateRequests = 0;
  /** The heartbeats of the subsystems played (test controls: report another health, go silent, resume). */
  readonly heartbeats: SimulatorHeartbeats;
  private readonly subsystems: readonly SimulatedSubsystem[];
  private readonly answered = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly seed: number;
  private readonly clock: () => number;
  private readonly log: NonNullable<EsperSimulatorOptions['log']>;
  private running?: { controller: AbortController; loop: Promise<void> };
  /** The simulated training run, while one is started. */
  trainingRun?: SimulatedTrainingRun;

  constructor(private readonly options: EsperSimulatorOptions) {
    this.subsystems = [
      createTezzeret(options.tezzeret),
      createUrabrask(options.urabrask),
      ...createRollbackResponders(options.rollback),
      ...(options.subsystems ?? []),
    ];
    this.seed = options.seed ?? 1;
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? (() => undefined);
    const played = [...new Set(this.subsystems.map((s) => s.name))].filter((name): name is EsperSubsystem =>
      (esperSubsystems as readonly string[]).includes(name),
    );
    this.heartbeats = new SimulatorHeartbeats(
      { transport: options.transport, signingSecret: options.signingSecret, subsystems: played, clock: this.clock, log: this.log },
      options.heartbeats || {},
    );
  }

  /** Starts answering requests on the bus. */
  start(): void {
    if (this.running) return;
    const controller = new AbortController();
    const streams = [...new Set(this.subsystems.flatMap((subsystem) => subsystem.streams))];
    const loop = this.options.transport.consume({
      streams,
      group: SIMULATOR_GROUP,
      consumer: this.options.consumer ?? 'simulator-1',
      handler: async (delivery) => this.receive(delivery),
      signal: controller.signal,
    });
    this.running = { controller, loop };
    if (this.options.trainingRun) {
      const { transport, signingSecret } = this.options;
      this.trainingRun = new SimulatedTrainingRun({
        clock: this.clock,
        log: this.log,
        ...this.options.trainingRun,
        transport,
        signingSecret,
      });
      this.trainingRun.start();
    }
    if (this.options.heartbeats !== false) this.heartbeats.start();
    this.log(`simulator started (seed ${this.seed}): ${this.subsystems.map((s) => s.name).join(', ')}`);
  }

  /** Stops consuming and drops the replies not yet sent (as a crashed Esper would). */
  async stop(): Promise<void> {
    if (!this.running) return;
    await this.trainingRun?.stop();
    this.running.controller.abort();
    this.heartbeats.stop();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.running.loop;
    await Promise.allSettled([...this.inFlight]);
    this.running = undefined;
    this.log('simulator stopped');
  }

  /** Decides the answer to one request; accepted (and acknowledged) at once, the replies follow on timers. */
  private receive(delivery: EsperDelivery): void {
    const subsystem = this.subsystems.find(
      (candidate) => candidate.handles.includes(delivery.kind) && (candidate.accepts?.(delivery) ?? true),
    );
    if (!subsystem) return; // not a request the simulator answers
    const key = subsystem.jobKey(delivery);
    if (this.answered.has(key)) {
      this.duplicateRequests += 1;
      this.log(`simulator ${subsystem.name} ignores a repeated request for ${key}`);
      return;
    }
    this.answered.add(key);
    const { replies, note } = subsystem.answer(delivery, randomFor(this.seed, key));
    this.log(`simulator ${subsystem.name} ${note}`, { job: key });
    for (const reply of replies) this.schedule(subsystem, reply);
  }

  private schedule(subsystem: SimulatedSubsystem, reply: ScheduledReply): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const publishing = this.publish(subsystem, reply).finally(() => this.inFlight.delete(publishing));
      this.inFlight.add(publishing);
    }, reply.delayMs);
    this.timers.add(timer);
  }

  private async publish(subsystem: SimulatedSubsystem, reply: ScheduledReply): Promise<void> {
    const sentAt = new Date(this.clock());
    const message = reply.build(sentAt.toISOString());
    const envelope = sealEsperMessage(
      { kind: message.kind, payload: message.message, id: reply.envelopeId, origin: subsystem.name, sentAt },
      this.options.signingSecret,
    );
    try {
      await this.options.transport.publish(streamFor(message), envelope);
      this.published.push({ envelopeId: reply.envelopeId, message });
      if (this.published.length > PUBLISHED_KEPT) this.published.shift();
      this.log(`simulator ${subsystem.name} published ${message.kind} ${reply.envelopeId}`);
    } catch (error) {
      this.log(`simulator ${subsystem.name} could not publish ${message.kind} ${reply.envelopeId}: ${(error as Error).message}`);
    }
  }
}
