/**
 * Durable key/value state for the activities (rate-limit logs, conversation history, chat preferences, delivery
 * receipts). The interface is small on purpose so a shared store (Redis) can stand in for the file store when
 * several workers must share state.
 */

export interface StateStore {
  /** The stored value, or undefined when the key was never written. */
  read<T>(key: string): Promise<T | undefined>;
  /** Atomically replaces the value with `change(current)`; concurrent updates of one key never interleave. */
  update<T>(key: string, change: (current: T | undefined) => T): Promise<T>;
  close(): Promise<void>;
}
