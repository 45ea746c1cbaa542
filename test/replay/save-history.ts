import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

/** Where the replay test finds the committed histories. */
export const HISTORIES_DIR = path.join(__dirname, '..', 'histories');
const REPO_ROOT = path.join(__dirname, '..', '..');

/**
 * Writes a recorded history for the replay test. Stack traces in failures carry absolute paths of the machine
 * that recorded them; they are made relative to the repository, so no machine's layout ends up committed.
 */
export function saveHistory(name: string, history: temporal.api.history.v1.IHistory): void {
  const json = historyToJSON(history).replaceAll(`${REPO_ROOT}${path.sep}`, '');
  writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), `${json}\n`);
}
