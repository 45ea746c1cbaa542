/**
 * Where the payload encryption keys come from, and the data converter every Worker, Client and replay uses.
 * RELAY_ENCRYPTION_KEYS wins; without it the relay generates one key on first use and keeps it in
 * `RELAY_DATA_DIR/encryption-key` (mode 0600), so the embedded default is encrypted and survives restarts.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import type { RelayConfig } from '../contracts/config';
import { formatEncryptionKeys, KEY_BYTES, parseEncryptionKeys, type EncryptionKey } from '../contracts/encryption-keys';
import { EncryptionCodec } from '../contracts/payload-codec';

type EncryptionSettings = Pick<RelayConfig, 'encryption'>;

/**
 * The keys to encrypt and decrypt with: the configured ones, else the generated key file. With
 * RELAY_ENCRYPTION=off (or `generate: false`) nothing is generated, but an existing key file still decrypts
 * what it encrypted before.
 */
export function resolveEncryptionKeys({ encryption }: EncryptionSettings, { generate = true } = {}): EncryptionKey[] {
  if (encryption.keys.length > 0) return [...encryption.keys];
  const stored = readKeyFile(encryption.keyFile);
  if (stored || !encryption.encrypt || !generate) return stored ?? [];
  return createKeyFile(encryption.keyFile);
}

/** The relay's payload codec, built from the resolved keys. */
export function createPayloadCodec(config: EncryptionSettings): EncryptionCodec {
  return new EncryptionCodec(resolveEncryptionKeys(config), { encrypt: config.encryption.encrypt });
}

/** The module of the failure converter that encodes failure messages and stack traces (see its comment). */
export const FAILURE_CONVERTER_PATH = path.join(__dirname, '..', 'contracts', 'failure-converter.ts');

/**
 * The data converter for a Worker, a Client, or `Worker.runReplayHistories`: the default payload converter
 * behind the encryption codec, with failure messages encoded too. Every side must use the same keys, or it cannot
 * read what the other wrote.
 */
export function relayDataConverter(config: EncryptionSettings, codec = createPayloadCodec(config)): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/**
 * The data converter for replaying histories (`relay replay-check`): decrypts with every key it can find and
 * never generates one, since a replay writes nothing and a fresh key could decrypt nothing.
 */
export function replayDataConverter(config: EncryptionSettings): DataConverter {
  return {
    payloadCodecs: [new EncryptionCodec(resolveEncryptionKeys(config, { generate: false }), { encrypt: false })],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}

function readKeyFile(file: string): EncryptionKey[] | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the encryption key file ${file}: ${(error as Error).message}`);
  }
  const { keys, problems } = parseEncryptionKeys(text);
  if (problems.length > 0 || keys.length === 0) {
    throw new Error(
      `the encryption key file ${file} is damaged (${problems.join('; ') || 'no key'}); ` +
        'restore it from a backup, or set RELAY_ENCRYPTION_KEYS (histories it encrypted cannot be read without it)',
    );
  }
  return keys;
}

/**
 * Generates a key and stores it, unless another process (a second worker, a CLI command) got there first: the
 * key is written to a private temporary file and hard-linked into place, which fails if the file exists, so
 * every process ends up with the same key and nobody reads a half-written file.
 */
function createKeyFile(file: string): EncryptionKey[] {
  // A distinct id per generated key: a process that made its own key (another data dir) then fails with
  // "unknown key id local-…" instead of a puzzling authentication error.
  const key = { id: `local-${randomBytes(4).toString('hex')}`, secret: randomBytes(KEY_BYTES).toString('base64') };
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${formatEncryptionKeys([key])}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, file);
    return [key];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readKeyFile(file)!;
  } finally {
    unlinkSync(temporary);
  }
}
