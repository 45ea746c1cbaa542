import { Telegram } from 'telegraf';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities';
import { builtinWorkspaces } from '../../contracts/workspaces';
import { startTelegramDouble } from '../../doubles/telegram-double';
import { failureOf, makeActivities, makeConfig, makeStore, reopenStore, Resources, runActivity } from './support';

describe('notifyAdmins', () => {
  const resources = new Resources();
  afterEach(() => resources.cleanup());

  async function twoWorkers(now: () => number) {
    const double = resources.track(await startTelegramDouble());
    const store = await makeStore(resources);
    const workerOn = (workerStore: ActivityDeps['store']): ActivityDeps => ({
      config: makeConfig({ RELAY_ADMINS: '1,2' }),
      store: workerStore,
      workspaces: builtinWorkspaces,
      telegram: new Telegram(double.token, { apiRoot: double.url }),
      clock: now,
    });
    // Two workers (two stores on one database, as two processes have) reporting the same failure.
    return { double, workers: [makeActivities(workerOn(store)), makeActivities(workerOn(reopenStore(resources, store)))] };
  }

  it('sends a report once per window, however many workers report the same failure at once', async () => {
    let now = Date.UTC(2026, 0, 1);
    const { double, workers } = await twoWorkers(() => now);
    const report = { text: 'Claude rejected the API key', dedupeKey: 'claude-RemoteRejected' };
    const sent = await Promise.all(workers.flatMap((worker) => [1, 2, 3].map(() => runActivity(worker.notifyAdmins, report))));

    expect(sent.filter((count) => count > 0)).toEqual([2]); // one report, to both admins
    expect(double.sent.map((message) => String(message.chat_id))).toEqual(['1', '2']);
    now += 60 * 60_000;
    expect(await runActivity(workers[1]!.notifyAdmins, report)).toBe(2); // the next hour
  });

  it('gives the window back when no admin could be reached, so the retry sends it', async () => {
    const { double, workers } = await twoWorkers(() => Date.UTC(2026, 0, 1));
    const report = { text: 'Tezzeret stopped answering', dedupeKey: 'compile-timeout' };
    double.failNext('sendMessage', { errorCode: 500, description: 'Internal Server Error' });
    double.failNext('sendMessage', { errorCode: 500, description: 'Internal Server Error' });
    expect((await failureOf(runActivity(workers[0]!.notifyAdmins, report))).nonRetryable).toBe(false);
    expect(await runActivity(workers[1]!.notifyAdmins, report)).toBe(2);
  });
});
