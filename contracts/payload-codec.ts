/**
 * AES-256-GCM payload encryption for everything the relay stores in Temporal: workflow inputs and results,
 * activity arguments and results, signals, queries, failure details and UI summaries. Shared by the worker, the
 * clients, the replay checks and the codec HTTP endpoint (it uses node:crypto, so workflow code never imports it).
 *
 * An encrypted payload is the whole original payload (metadata and data, as protobuf) sealed with a random
 * 12-byte nonce: `data = nonce ‖ ciphertext ‖ tag`, metadata `encoding: binary/encrypted` and
 * `encryption-key-id: <id>`. The key id lets keys rotate: the first key encrypts, every configured key decrypts.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { KEY_BYTES, type EncryptionKey } from './encryption-keys';

/** The `encoding` metadata of an encrypted payload (Temporal's convention for codec output). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** The metadata key naming the key that encrypted a payload. */
export const KEY_ID_METADATA = 'encryption-key-id';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export interface EncryptionCodecOptions {
  /**
   * Encrypt new payloads with the first key (default). `false` (RELAY_ENCRYPTION=off) writes new payloads in
   * plaintext while the keys still decrypt older ones, so switching encryption off never strands a history.
   */
  encrypt?: boolean;
}

/** Raised when a payload cannot be decrypted: an unknown key id, a wrong key, or tampered data. */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

/**
 * The relay's `PayloadCodec`: encrypts every payload with the first key, decrypts with the key its id names,
 * and passes through payloads that were never encrypted (older histories, such as test/histories/*.json).
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly encryptingKeyId: string | undefined;

  constructor(keys: readonly EncryptionKey[], options: EncryptionCodecOptions = {}) {
    this.keys = new Map(keys.map((key) => [key.id, toKeyBytes(key)]));
    if (this.keys.size !== keys.length) throw new Error('encryption key ids must be unique');
    this.encryptingKeyId = options.encrypt === false ? undefined : keys[0]?.id;
    if (options.encrypt !== false && !this.encryptingKeyId) throw new Error('encryption needs at least one key');
  }

  /** The id of the key new payloads are encrypted with; `undefined` when encryption is off. */
  get encryptingWith(): string | undefined {
    return this.encryptingKeyId;
  }

  /** The ids of every key this codec can decrypt with, the encrypting one first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.encryptingKeyId;
    if (keyId === undefined) return payloads;
    const key = this.keys.get(keyId)!;
    return payloads.map((payload) => {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv(ALGORITHM, key, nonce);
      const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(keyId) },
        data: new Uint8Array(sealed),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload));
  }

  private decrypt(payload: Payload): Payload {
    const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!keyIdBytes) throw new PayloadDecryptionError(`an encrypted payload has no ${KEY_ID_METADATA} metadata`);
    const keyId = fromUtf8.decode(keyIdBytes);
    const key = this.keys.get(keyId);
    if (!key) {
      const known = this.keys.size > 0 ? `configured key ids: ${this.keyIds.join(', ')}` : 'no keys are configured';
      throw new PayloadDecryptionError(
        `cannot decrypt a payload encrypted with key id "${keyId}": no such key (${known}); add it to RELAY_ENCRYPTION_KEYS`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < NONCE_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`an encrypted payload (key id "${keyId}") is truncated`);
    const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      // GCM authentication failed: the data was altered, or the key behind this id is not the one that encrypted it.
      throw new PayloadDecryptionError(`an encrypted payload (key id "${keyId}") failed authentication: tampered, or the wrong key`);
    }
    return temporal.api.common.v1.Payload.decode(plaintext);
  }
}

/** Whether a payload was written by an `EncryptionCodec`. */
export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && fromUtf8.decode(encoding) === ENCRYPTED_ENCODING;
}

function toKeyBytes(key: EncryptionKey): Buffer {
  const bytes = Buffer.from(key.secret, 'base64');
  if (bytes.length !== KEY_BYTES) throw new Error(`encryption key "${key.id}" must be ${KEY_BYTES} bytes`);
  return bytes;
}
