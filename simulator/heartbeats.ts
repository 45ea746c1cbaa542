/**
 * The simulator's heartbeats: every subsystem it plays publishes a signed TelemetryPacket (HEALTHY unless told
 * otherwise) every few seconds on `oona.telemetry`, which is how the relay's health registry knows they are alive.
 * Test controls make one subsystem report another health, or go silent, and back.
 */
import type { EsperSubsystem } from '../contracts/esper/common';
import { sealEsperMessage } from '../contracts/esper/envelope-signing';
import type { HealthStatus, TelemetryPacket } from '../contracts/esper/telemetry';
import { oonaStreams, type EsperTransport } from '../contracts/esper/transport';

/** Default time between two heartbeats of one subsystem: well inside the registry's 30 s heartbeat timeout. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;

export interface HeartbeatOptions {
  /** Milliseconds between two heartbeats of each subsystem (default 5 s). */
  intervalMs?: number;
}

export interface HeartbeatContext {
  transport: EsperTransport;
  signingSecret: string;
  /** The subsystems the simulator plays; each one beats. */
  subsystems: readonly EsperSubsystem[];
  clock: () => number;
  log: (line: string, fields?: Record<string, unknown>) => void;
}

export class SimulatorHeartbeats {
  private readonly healthOf = new Map<EsperSubsystem, HealthStatus>();
  private readonly silent = new Set<EsperSubsystem>();
  private timer?: NodeJS.Timeout;
  private beat = 0;
  /** Heartbeats published since the start. */
  sent = 0;

  constructor(
    private readonly context: HeartbeatContext,
    private readonly options: HeartbeatOptions = {},
  ) {}

  /** Starts beating: one packet per subsystem now, then every interval. */
  start(): void {
    if (this.timer) return;
    const intervalMs = this.options.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.timer = setInterval(() => void this.beatAll(), intervalMs);
    void this.beatAll();
    this.context.log(`simulator heartbeats every ${intervalMs} ms: ${this.context.subsystems.join(', ')}`);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** From the next beat on, `subsystem` reports `health` (HEALTHY again to recover). */
  report(subsystem: EsperSubsystem, health: HealthStatus): void {
    this.healthOf.set(subsystem, health);
    this.context.log(`simulator ${subsystem} now reports ${health}`);
  }

  /** `subsystem` stops beating, as if it hung. */
  silence(subsystem: EsperSubsystem): void {
    this.silent.add(subsystem);
    this.context.log(`simulator ${subsystem} goes silent`);
  }

  /** `subsystem` beats again. */
  resume(subsystem: EsperSubsystem): void {
    this.silent.delete(subsystem);
    this.context.log(`simulator ${subsystem} beats again`);
  }

  private async beatAll(): Promise<void> {
    const beat = (this.beat += 1);
    const { transport, signingSecret, subsystems, clock, log } = this.context;
    for (const source of subsystems.filter((s) => !this.silent.has(s))) {
      const sentAt = new Date(clock());
      const health = this.healthOf.get(source) ?? 'HEALTHY';
      const packet: TelemetryPacket = { version: 1, source, capturedAt: sentAt.toISOString(), health, metrics: [], events: [] };
      // Unique per process start and beat, so a restarted simulator is not taken for a replay.
      const id = `hb.${source}.${sentAt.getTime()}.${beat}`;
      try {
        await transport.publish(
          oonaStreams.telemetry,
          sealEsperMessage({ kind: 'telemetry', payload: packet, id, origin: source, sentAt }, signingSecret),
        );
        this.sent += 1;
      } catch (error) {
        log(`simulator ${source} could not publish its heartbeat: ${(error as Error).message}`);
      }
    }
  }
}
