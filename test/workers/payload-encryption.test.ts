import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../contracts/config';
import { createPayloadCodec, replayDataConverter, resolveEncryptionKeys } from '../../workers/payload-encryption';

const root = mkdtempSync(path.join(os.tmpdir(), 'relay-keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Resolves the keys in a separate Node process (as a worker or CLI command would) and returns the key id. */
function keyIdFromAnotherProcess(dataDir: string): Promise<string> {
  const script = `
    const { loadConfig } = require('./contracts/config.ts');
    const { resolveEncryptionKeys } = require('./workers/payload-encryption.ts');
    process.stdout.write(resolveEncryptionKeys(loadConfig({ RELAY_DATA_DIR: ${JSON.stringify(dataDir)} }, '/nonexistent/.env'))[0].id);`;
  const cwd = path.join(__dirname, '..', '..');
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
}

let next = 0;
const configIn = (env: Record<string, string> = {}) =>
  loadConfig({ RELAY_DATA_DIR: path.join(root, `data-${++next}`), ...env }, '/nonexistent/.env');

describe('resolveEncryptionKeys', () => {
  it('generates one key on first use into RELAY_DATA_DIR/encryption-key (mode 0600) and reuses it', () => {
    const config = configIn();
    const [generated] = resolveEncryptionKeys(config);

    expect(generated!.id).toMatch(/^local-[0-9a-f]{8}$/);
    expect(Buffer.from(generated!.secret, 'base64')).toHaveLength(32);
    expect(statSync(config.encryption.keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(config.encryption.keyFile, 'utf8')).toBe(`${generated!.id}:${generated!.secret}\n`);
    // A restart (a new config, the same data dir) finds the same key.
    expect(resolveEncryptionKeys(loadConfig({ RELAY_DATA_DIR: config.dataDir }, '/nonexistent/.env'))).toEqual([generated]);
  });

  it('uses RELAY_ENCRYPTION_KEYS when set and writes no file', () => {
    const secret = randomBytes(32).toString('base64');
    const config = configIn({ RELAY_ENCRYPTION_KEYS: `prod-2:${secret}` });
    expect(resolveEncryptionKeys(config)).toEqual([{ id: 'prod-2', secret }]);
    expect(existsSync(config.encryption.keyFile)).toBe(false);
  });

  it('with RELAY_ENCRYPTION=off generates nothing, but still reads an existing key file', () => {
    const config = configIn({ RELAY_ENCRYPTION: 'off' });
    expect(resolveEncryptionKeys(config)).toEqual([]);
    expect(existsSync(config.encryption.keyFile)).toBe(false);

    const [earlier] = resolveEncryptionKeys(configIn({ RELAY_DATA_DIR: config.dataDir }));
    expect(resolveEncryptionKeys(config)).toEqual([earlier]);
    expect(createPayloadCodec(config).encryptingWith).toBeUndefined();
  });

  it('replays without generating a key', () => {
    const config = configIn();
    replayDataConverter(config);
    expect(existsSync(config.encryption.keyFile)).toBe(false);
    expect(resolveEncryptionKeys(config, { generate: false })).toEqual([]);
  });

  it('refuses a damaged key file instead of silently making a new key', () => {
    const config = configIn();
    resolveEncryptionKeys(config);
    writeFileSync(config.encryption.keyFile, 'local-1:not-a-key\n');
    expect(() => resolveEncryptionKeys(config)).toThrow(/encryption key file .*encryption-key is damaged/);
  });

  it('gives every process the same key when several start at once', async () => {
    const dataDir = path.join(root, 'race');
    const ids = await Promise.all(Array.from({ length: 6 }, () => keyIdFromAnotherProcess(dataDir)));
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^local-/);
  });
});
