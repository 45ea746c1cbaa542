/**
 * The Esper chat commands without Temporal: the catalogue listing (order, bound, reasons) and what a worker
 * without a Temporal client answers. Starting and approving runs is covered end to end in
 * test/integration/esper-commands.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BLUEPRINT_LIST_MAX } from '../../activities/esper/commands';
import { createCatalogueActivities } from '../../activities/esper/urza-catalogue';
import { builtinWorkspaces } from '../../contracts/workspaces';
import { catalogueBlueprintIds, blueprintTier } from '../../contracts/esper/lifecycle';
import { converse, inbound, makeActivities, makeConfig, makeStore, Resources } from './support';

describe('Esper chat commands', () => {
  const resources = new Resources();
  afterEach(() => resources.cleanup());

  async function setUp() {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const deps = {
      config: makeConfig({ RELAY_ADMINS: '1', RELAY_ALLOWED_USERS: '7' }),
      store: await makeStore(resources),
      workspaces: builtinWorkspaces,
      clock: () => (now += 1_000),
    };
    return { deps, activities: makeActivities(deps), catalogue: createCatalogueActivities(deps) };
  }

  it('says the catalogue is empty before any run', async () => {
    const { activities } = await setUp();
    const reply = await converse(activities, inbound({ text: '/blueprints' }));
    expect(reply).toMatchObject({ source: 'command', text: expect.stringMatching(/^No blueprint has been through the pipeline yet\./) });
  });

  it('lists the most recently updated blueprints first, at most BLUEPRINT_LIST_MAX of them, with their reasons', async () => {
    const { activities, catalogue } = await setUp();
    const written = catalogueBlueprintIds.slice(0, BLUEPRINT_LIST_MAX + 5);
    for (const blueprintId of written) {
      await catalogue.recordBlueprintStage({
        blueprintId,
        tier: blueprintTier(blueprintId),
        stage: 'INVALID',
        updatedBy: `bp-${blueprintId}-r1`,
        reason: `kernel_error: ${'x'.repeat(200)}`,
      });
    }
    const lines = (await converse(activities, inbound({ text: '/blueprints' }))).text.split('\n');

    expect(lines[0]).toBe("Urza's catalogue, most recent first:");
    expect(lines.slice(1, -1).map((line) => line.split(' ')[0])).toEqual(written.slice(-BLUEPRINT_LIST_MAX).reverse());
    expect(lines[1]).toMatch(/^BP025 SAFE INVALID — kernel_error: x+…$/);
    expect(lines[1]!.length).toBeLessThan(150);
    expect(lines.at(-1)).toBe('… and 5 more.');
  });

  it('tells an admin when the worker has no Temporal client, and a user that only admins may compile', async () => {
    const { activities } = await setUp();
    expect((await converse(activities, inbound({ text: '/compile BP007', userId: '1' }))).text).toMatch(/no Temporal client/);
    expect((await converse(activities, inbound({ text: '/compile BP007', userId: '7' }))).text).toBe(
      'Sorry, only admins can compile blueprints.',
    );
  });
});
