import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../activities/stores/file-state-store';
import { claimStrangerNotice, STRANGER_NOTICE_INTERVAL_MS } from '../../client/telegram/stranger-gate';

describe('stranger notices', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relay-strangers-'));
  const store = new FileStateStore(dir);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets exactly one of many concurrent claimants (processes sharing the store) send the notice', async () => {
    const now = Date.UTC(2026, 0, 1);
    const claims = await Promise.all(Array.from({ length: 12 }, () => claimStrangerNotice(store, 'telegram', '501', now)));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('notifies the same stranger again only once the hour is over', async () => {
    const now = Date.UTC(2026, 0, 2);
    expect(await claimStrangerNotice(store, 'telegram', '502', now)).toBe(true);
    expect(await claimStrangerNotice(store, 'telegram', '502', now + STRANGER_NOTICE_INTERVAL_MS - 1)).toBe(false);
    expect(await claimStrangerNotice(store, 'telegram', '502', now + STRANGER_NOTICE_INTERVAL_MS)).toBe(true);
    expect(await claimStrangerNotice(store, 'telegram', '503', now)).toBe(true);
  });
});
