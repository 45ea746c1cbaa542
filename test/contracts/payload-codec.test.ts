import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { parseEncryptionKeys, type EncryptionKey } from '../../contracts/encryption-keys';
import { EncryptionCodec, ENCRYPTED_ENCODING, isEncrypted, KEY_ID_METADATA, PayloadDecryptionError } from '../../contracts/payload-codec';

const newKey = (id: string): EncryptionKey => ({ id, secret: randomBytes(32).toString('base64') });
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const SECRET_TEXT = 'my bank PIN is 4711';
const plain = (): Payload => defaultPayloadConverter.toPayload({ text: SECRET_TEXT, reply: 'noted' });

describe('EncryptionCodec', () => {
  const k1 = newKey('k1');

  it('encrypts a payload so neither its data nor its metadata shows, and decodes it back exactly', async () => {
    const codec = new EncryptionCodec([k1]);
    const original = plain();
    const [encrypted] = await codec.encode([original]);

    expect(text(encrypted!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted!.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(Object.keys(encrypted!.metadata!).sort()).toEqual(['encoding', KEY_ID_METADATA]);
    expect(text(encrypted!.data)).not.toContain('PIN');
    expect(text(encrypted!.data)).not.toContain('json/plain');

    const [decoded] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ text: SECRET_TEXT, reply: 'noted' });
    expect(text(decoded!.metadata!.encoding)).toBe('json/plain');
  });

  it('uses a fresh nonce for every payload: the same plaintext never encrypts the same way twice', async () => {
    const codec = new EncryptionCodec([k1]);
    const [a, b] = await codec.encode([plain(), plain()]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('keeps and restores empty and binary payloads', async () => {
    const codec = new EncryptionCodec([k1]);
    const binary = { metadata: { encoding: Buffer.from('binary/plain') }, data: new Uint8Array([0, 255, 7]) };
    const empty = defaultPayloadConverter.toPayload(undefined);
    const decoded = await codec.decode(await codec.encode([binary, empty]));
    expect(Buffer.from(decoded[0]!.data!)).toEqual(Buffer.from([0, 255, 7]));
    expect(defaultPayloadConverter.fromPayload(decoded[1]!)).toBeUndefined();
  });

  it('rotates keys: a payload encrypted with the old key still decodes after a new key is put in front', async () => {
    const [old] = await new EncryptionCodec([k1]).encode([plain()]);
    const rotated = new EncryptionCodec([newKey('k2'), k1]);

    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!)).toMatchObject({ text: SECRET_TEXT });
    const [fresh] = await rotated.encode([plain()]);
    expect(text(fresh!.metadata![KEY_ID_METADATA])).toBe('k2');
    expect(rotated.encryptingWith).toBe('k2');
    expect(rotated.keyIds).toEqual(['k2', 'k1']);
  });

  it('fails with a clear error naming the key id when that key is not configured', async () => {
    const [encrypted] = await new EncryptionCodec([newKey('retired-2024')]).encode([plain()]);
    const codec = new EncryptionCodec([k1]);
    const failure = codec.decode([encrypted!]);
    await expect(failure).rejects.toThrow(PayloadDecryptionError);
    await expect(failure).rejects.toThrow(/key id "retired-2024": no such key \(configured key ids: k1\)/);
  });

  it('passes payloads that were never encrypted through, with or without keys', async () => {
    const original = plain();
    expect(await new EncryptionCodec([k1]).decode([original])).toEqual([original]);
    expect(await new EncryptionCodec([], { encrypt: false }).decode([original])).toEqual([original]);
    expect(isEncrypted(original)).toBe(false);
  });

  it('rejects tampered ciphertext', async () => {
    const codec = new EncryptionCodec([k1]);
    const [encrypted] = await codec.encode([plain()]);
    const data = Buffer.from(encrypted!.data!);
    data[20]! ^= 0x01;
    await expect(codec.decode([{ ...encrypted!, data }])).rejects.toThrow(/key id "k1"\) failed authentication/);
  });

  it('rejects a payload decrypted with a different key under the same id', async () => {
    const [encrypted] = await new EncryptionCodec([k1]).encode([plain()]);
    await expect(new EncryptionCodec([newKey('k1')]).decode([encrypted!])).rejects.toThrow(/failed authentication/);
  });

  it('rejects a truncated payload', async () => {
    const [encrypted] = await new EncryptionCodec([k1]).encode([plain()]);
    await expect(new EncryptionCodec([k1]).decode([{ ...encrypted!, data: encrypted!.data!.subarray(0, 20) }])).rejects.toThrow(
      /truncated/,
    );
  });

  it('with encryption off writes plaintext but still decrypts what was encrypted before', async () => {
    const [old] = await new EncryptionCodec([k1]).encode([plain()]);
    const off = new EncryptionCodec([k1], { encrypt: false });
    const original = plain();
    expect(await off.encode([original])).toEqual([original]);
    expect(off.encryptingWith).toBeUndefined();
    expect(defaultPayloadConverter.fromPayload((await off.decode([old!]))[0]!)).toMatchObject({ text: SECRET_TEXT });
  });

  it('refuses to encrypt without a key, and refuses duplicate key ids', () => {
    expect(() => new EncryptionCodec([])).toThrow('encryption needs at least one key');
    expect(() => new EncryptionCodec([k1, newKey('k1')])).toThrow('unique');
  });
});

describe('parseEncryptionKeys', () => {
  const secret = randomBytes(32).toString('base64');

  it('reads keyId:base64key entries in order', () => {
    const other = randomBytes(32).toString('base64');
    expect(parseEncryptionKeys(` new:${secret} , old-1_A:${other},`)).toEqual({
      keys: [
        { id: 'new', secret },
        { id: 'old-1_A', secret: other },
      ],
      problems: [],
    });
  });

  it.each([
    [secret, 'entry 1 must be keyId:base64key'],
    [`bad id!:${secret}`, 'entry 1: the key id must be'],
    [`${'x'.repeat(33)}:${secret}`, 'entry 1: the key id must be'],
    ['short:c2hvcnQ=', 'entry 1 (key id "short"): the key must be 32 bytes in base64'],
    ['notb64:!!!!', 'entry 1 (key id "notb64"): the key must be 32 bytes'],
    [`a:${secret},a:${secret}`, 'entry 2: key id "a" appears twice'],
  ])('rejects %s with a problem that never shows the key', (raw, problem) => {
    const { problems } = parseEncryptionKeys(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
    expect(problems[0]).not.toContain(secret);
    expect(problems[0]).not.toContain('c2hvcnQ');
  });
});
