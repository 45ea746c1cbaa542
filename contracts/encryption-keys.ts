/**
 * The payload encryption keys as configured: `keyId:base64key` entries, comma-separated, the first one encrypts.
 * Pure parsing, shared by the config (RELAY_ENCRYPTION_KEYS) and the generated key file, so both read alike.
 * Problems name the entry and its key id, never the key.
 */

/** One AES-256 key and the id stored beside every payload it encrypted (so keys can rotate). */
export interface EncryptionKey {
  /** `[A-Za-z0-9_-]{1,32}`; written into each payload's `encryption-key-id` metadata, so it is not a secret. */
  id: string;
  /** The 32-byte key, base64. Kept as text so a frozen config can hold it. */
  secret: string;
}

/** Key ids are written into histories and error messages: short, plain, never a secret. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** AES-256 needs exactly this many key bytes. */
export const KEY_BYTES = 32;

export interface ParsedEncryptionKeys {
  keys: EncryptionKey[];
  /** One line per bad entry; empty when every entry is valid. */
  problems: string[];
}

/** Parses `id1:base64,id2:base64`; blank entries are ignored, duplicates and malformed entries are problems. */
export function parseEncryptionKeys(raw: string): ParsedEncryptionKeys {
  const keys: EncryptionKey[] = [];
  const problems: string[] = [];
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const where = `entry ${index + 1}`;
    // Without a colon the whole entry may be a bare key: say nothing about its content.
    if (colon < 0) return void problems.push(`${where} must be keyId:base64key`);
    const id = entry.slice(0, colon).trim();
    const secret = entry.slice(colon + 1).trim();
    if (!KEY_ID_PATTERN.test(id)) return void problems.push(`${where}: the key id must be 1-32 of A-Z a-z 0-9 _ -`);
    if (!BASE64.test(secret) || Buffer.from(secret, 'base64').length !== KEY_BYTES) {
      return void problems.push(`${where} (key id "${id}"): the key must be ${KEY_BYTES} bytes in base64 (openssl rand -base64 32)`);
    }
    if (keys.some((key) => key.id === id)) return void problems.push(`${where}: key id "${id}" appears twice`);
    keys.push({ id, secret });
  });
  return { keys, problems };
}

/** The `keyId:base64key` text of keys, as RELAY_ENCRYPTION_KEYS and the key file hold them. */
export function formatEncryptionKeys(keys: readonly EncryptionKey[]): string {
  return keys.map((key) => `${key.id}:${key.secret}`).join(',');
}
