/**
 * Golden files: the committed wire form of the Esper contracts, compared exactly. After an intended contract
 * change, rewrite them with `UPDATE_GOLDEN=1 npx vitest run test/esper` and review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { expect } from 'vitest';
import { canonicalJson } from '../../contracts/esper/envelope-signing';

const GOLDEN_DIR = path.join(__dirname, 'golden');

/**
 * A value's canonical JSON (sorted keys: what signatures cover) pretty-printed as prettier leaves it, so the
 * files pass `prettier --check` and any change to the wire form shows in a diff.
 */
async function renderGolden(file: string, value: unknown): Promise<string> {
  const config = await resolveConfig(file);
  return format(JSON.stringify(JSON.parse(canonicalJson(value)), null, 2), { ...config, parser: 'json' });
}

/** Asserts that `value` renders exactly as the committed `golden/<name>`. */
export async function expectGolden(name: string, value: unknown): Promise<void> {
  const file = path.join(GOLDEN_DIR, name);
  const rendered = await renderGolden(file, value);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, rendered);
  expect(existsSync(file), `${name} is missing: run UPDATE_GOLDEN=1 npx vitest run test/esper`).toBe(true);
  expect(rendered).toBe(readFileSync(file, 'utf8'));
}

/** The parsed contents of `golden/<name>`. */
export function readGolden(name: string): unknown {
  return JSON.parse(readFileSync(path.join(GOLDEN_DIR, name), 'utf8'));
}
