/**
 * The seam every simulated Esper subsystem plugs into: it names the message kinds it answers and, for each
 * request, schedules its replies through the context. Tezzeret and Urabrask are the first two; Tolaria's
 * training runs (loss curve, seeds, checkpoints) plug in the same way in a later slice.
 */
import type { EsperOrigin } from '../contracts/esper/common';
import type { EsperMessage, EsperMessageKind } from '../contracts/esper/registry';
import type { OonaStream } from '../contracts/esper/transport';
import type { Random } from './random';

/** One reply a subsystem will publish `delayMs` after the request, stamped with the time it goes out. */
export interface ScheduledReply {
  delayMs: number;
  /** Unique per reply and stable: a second answer to the same job gets the same id and is dropped by the bus. */
  envelopeId: string;
  build(atIso: string): EsperMessage;
}

/** What a subsystem decided to do about one request. */
export interface SimulatedAnswer {
  replies: ScheduledReply[];
  /** One line for the simulator's log. */
  note: string;
}

export interface SimulatedSubsystem {
  name: EsperOrigin;
  /** The request kinds it answers, and the streams they arrive on. */
  handles: readonly EsperMessageKind[];
  streams: readonly OonaStream[];
  /**
   * Whether this subsystem answers this request, when several handle its kind (Tamiyo, Kasmina and Tolaria each
   * take the ROLLBACK commands addressed to them). Absent: every request of its kinds.
   */
  accepts?(request: EsperMessage): boolean;
  /** The key a repeated request shares with the first one (a job id): it is answered once. */
  jobKey(request: EsperMessage): string;
  /** Decides the answer; `random` is this job's own seeded generator. Pure: no timers, no I/O. */
  answer(request: EsperMessage, random: Random): SimulatedAnswer;
}
