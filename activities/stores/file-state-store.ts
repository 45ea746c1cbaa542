import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KeyedSerial } from '../../domain/keyed-serial';
import type { StateStore } from './state-store';

/**
 * A `StateStore` of one JSON file per key. Writes go to a temporary file that is renamed over the old one, so a
 * crash leaves either the old or the new value, never half of one. Updates of one key are serialised in-process;
 * run one worker per data dir (use the Redis store to share state between workers).
 */
export class FileStateStore implements StateStore {
  private readonly serial = new KeyedSerial();

  constructor(private readonly dir: string) {}

  async read<T>(key: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.fileOf(key), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  update<T>(key: string, change: (current: T | undefined) => T): Promise<T> {
    return this.serial.run(key, async () => {
      const value = change(await this.read<T>(key));
      await this.write(key, value);
      return value;
    });
  }

  async close(): Promise<void> {
    await this.serial.idle();
  }

  private async write(key: string, value: unknown): Promise<void> {
    const file = this.fileOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(value));
    await rename(temporary, file);
  }

  /** `history:cli:42` → `<dir>/history/cli%3A42.json`: the first segment is a folder, the rest is escaped. */
  private fileOf(key: string): string {
    const [kind, ...rest] = key.split(':');
    const name = encodeURIComponent(rest.join(':') || '_').replace(/\./g, '%2E');
    return path.join(this.dir, encodeURIComponent(kind!), `${name}.json`);
  }
}
