/** Captures what an operator command prints, for commands run in-process (`runTrace(config, options, io)`). */
import type { CliIo } from '../../cli/io';

export interface CapturedIo {
  io: CliIo;
  /** Everything written to stdout so far. */
  out(): string;
  /** Everything written to stderr (progress, notes) so far. */
  err(): string;
}

/** A `CliIo` writing into strings; `isTTY` chooses the progress style under test. */
export function captureIo({ isTTY = false } = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    io: { out: { write: (text: string) => (out += text) }, err: { write: (text: string) => (err += text), isTTY } },
    out: () => out,
    err: () => err,
  };
}

/** Retries `read` until `accept` holds (visibility is eventually consistent), or fails after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
