/**
 * Output of the operator commands: results on `out` (text or `--json`), progress and notes on `err`. Commands
 * take a `CliIo` so tests run them in-process and read what they printed.
 */
import type { ProgressStream } from '../client/inspect/progress';

export interface CliIo {
  out: { write(text: string): unknown };
  err: ProgressStream;
}

/** The real process streams. */
export const processIo: CliIo = { out: process.stdout, err: process.stderr };

/** Writes `value` as indented JSON and a newline. */
export function writeJson(io: CliIo, value: unknown): void {
  io.out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Left-aligned columns under a header; the last column is not padded (it may be long). */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** `850 ms`, `4.2 s`, `3 min 5 s`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}
