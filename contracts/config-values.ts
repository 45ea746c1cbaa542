/**
 * Parsers of single environment values shared by the config schema: id lists, rate limits, secret lists, key
 * lists. Each reports a problem in words a person can act on, and never echoes a secret.
 */
import { z } from 'zod';
import { parseEncryptionKeys } from './encryption-keys';

/** Splits a comma-separated value, trimming entries and dropping empty ones. */
export const commaList = (raw: string) =>
  raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

/** Comma-separated numeric user ids; the bad entries are named (ids are not secret). */
export const idList = (name: string) =>
  z
    .string()
    .default('')
    .transform((raw, ctx) => {
      const ids = commaList(raw);
      const bad = ids.filter((id) => !/^\d{1,20}$/.test(id));
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `${name} must be comma-separated numeric user ids; bad: ${bad.join(', ')}` });
      }
      return ids;
    });

/** `20/min`, `5/s`, `100/hour` — how many messages one user may send per window; `off` disables the limit. */
export const rateLimitSchema = z
  .string()
  .default('20/min')
  .transform((raw, ctx) => {
    if (raw.trim() === 'off') return null;
    const match = /^\s*(\d{1,6})\s*\/\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$/.exec(raw);
    if (!match || Number(match[1]) === 0) {
      ctx.addIssue({ code: 'custom', message: `must look like 20/min (count/s|min|hour|day) or "off"; got "${raw}"` });
      return z.NEVER;
    }
    const unitMs: Record<string, number> = {
      s: 1e3,
      sec: 1e3,
      second: 1e3,
      m: 6e4,
      min: 6e4,
      minute: 6e4,
      h: 36e5,
      hour: 36e5,
      d: 864e5,
      day: 864e5,
    };
    return { limit: Number(match[1]), windowMs: unitMs[match[2]!]! };
  });

/** Comma-separated secrets (API keys): never echoed. */
export const secretList = z.string().default('').transform(commaList);

/** A whole number above zero of `unit` (tokens, days), or `off` (null), with a default. */
export const countOrOff = (fallback: string, unit: string) =>
  z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      if (raw.trim() === 'off') return null;
      if (!/^\d{1,12}$/.test(raw.trim()) || Number(raw) === 0) {
        ctx.addIssue({ code: 'custom', message: `must be a positive number of ${unit} or "off"; got "${raw}"` });
        return z.NEVER;
      }
      return Number(raw);
    });

/** A whole number above zero, with a default. */
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** `keyId:base64key,…`; a problem names the entry and its key id, never the key. */
export const encryptionKeys = z
  .string()
  .default('')
  .transform((raw, ctx) => {
    const { keys, problems } = parseEncryptionKeys(raw);
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
    return keys;
  });
