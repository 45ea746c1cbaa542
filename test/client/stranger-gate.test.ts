import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimStrangerNotice, STRANGER_NOTICE_INTERVAL_MS } from '../../client/telegram/stranger-gate';
import { openTestStore, reopenTestStore, type TestStore } from '../support/postgres';

describe('stranger notices', () => {
  let store: TestStore;
  let other: TestStore;
  beforeAll(async () => {
    store = await openTestStore();
    other = reopenTestStore(store);
  });
  afterAll(async () => {
    await other.close();
    await store.close();
  });

  it('lets exactly one of many concurrent claimants (processes sharing the store) send the notice', async () => {
    const now = Date.UTC(2026, 0, 1);
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => claimStrangerNotice(i % 2 ? store : other, 'telegram', '501', now)),
    );
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
