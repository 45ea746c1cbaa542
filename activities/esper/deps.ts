import type { EsperTransport } from '../../contracts/esper/transport';

/**
 * What the Esper activities need beyond the shared store and clock: the bus and the secret the relay signs its
 * envelopes with. Built by the worker: the in-process bus with the simulator for now, Oona on Redis later.
 */
export interface EsperDeps {
  transport: EsperTransport;
  /** HMAC secret of the relay's envelopes (at least 32 characters). */
  signingSecret: string;
  /** Blueprints compiling at once across the relay; ESPER.md's first queue cap (default 100). */
  compileSlots?: number;
  /**
   * A slot not released after this long is free again: its pipeline was terminated without unwinding (default
   * 15 minutes, well above the longest compile budget).
   */
  slotLeaseMs?: number;
  /** How long a chat `/rollback` waits for an admin to confirm (default 60 s). */
  rollbackConfirmationMs?: number;
}
