/**
 * Progress of long operator commands, on stderr so stdout stays clean for `--json`. On a terminal it is a
 * redrawn bar; otherwise (logs, CI, pipes) a plain line at most every few seconds.
 */

/** Where progress goes: a stream, and whether it is a terminal (`process.stderr.isTTY`). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A running progress report; `done()` clears the bar (or prints the final count if lines were printed). */
export interface Progress {
  /** Sets the total once known (e.g. after a visibility count). */
  setTotal(total: number): void;
  tick(detail?: string): void;
  done(): void;
}

const BAR_WIDTH = 24;
const PLAIN_LINE_EVERY_MS = 2_000;

/** Starts reporting progress of `label` (e.g. "fetching histories") on `stream`. */
export function startProgress(stream: ProgressStream, label: string, total = 0, now = () => Date.now()): Progress {
  let count = 0;
  let lastPlainLine = now();
  let printedPlain = false;
  const fraction = () => (total > 0 ? Math.min(1, count / total) : 0);
  const counter = () => (total > 0 ? `${count}/${total}` : `${count}`);

  const draw = (detail = '') => {
    if (stream.isTTY) {
      const filled = Math.round(fraction() * BAR_WIDTH);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
      stream.write(`\r\x1b[2K${bar} ${counter()} ${label}${detail ? ` ${detail.slice(0, 40)}` : ''}`);
    } else if (now() - lastPlainLine >= PLAIN_LINE_EVERY_MS) {
      lastPlainLine = now();
      printedPlain = true;
      stream.write(`${label}: ${counter()}\n`);
    }
  };

  return {
    setTotal(next) {
      total = next;
      draw();
    },
    tick(detail) {
      count++;
      draw(detail);
    },
    done() {
      if (stream.isTTY) stream.write('\r\x1b[2K');
      else if (printedPlain) stream.write(`${label}: ${counter()} done\n`);
    },
  };
}
