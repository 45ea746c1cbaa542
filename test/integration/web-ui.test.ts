/**
 * Tracing one message in the Temporal Web UI, as the README shows an operator: filter the workflows by chat id,
 * open the message workflow, and read its five steps with their summaries. Headless Chromium (playwright-core)
 * against a dev server with the UI; `RECORD_SCREENSHOTS=1` also rewrites the README's screenshots in docs/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { launchChromium, startWebUiServer, type WebUiServer } from '../support/web-ui';

const DOCS = path.join(__dirname, '..', '..', 'docs');
const RECORD = process.env.RECORD_SCREENSHOTS === '1';

/** The step activities of a `/whoami` from user 7 in `chatId`, with the summaries `messageWorkflow` gives them. */
const stepSummaries = (chatId: string): [string, string][] => [
  ['securityGate', `Allowlist, rate limit and size check (user 7, cli chat ${chatId})`],
  ['buildContext', `Workspace and history window for chat ${chatId}`],
  ['routeMessage', 'Classify a text message'],
  ['orchestrateAgent', 'Answer the command without Claude'],
  ['deliverResponse', 'Deliver the reply via cli'],
];

describe('Web UI tracing', () => {
  let browser: Browser;
  let server: WebUiServer;
  let relay: Harness;

  beforeAll(async () => {
    server = await startWebUiServer();
    relay = await startHarness(server.env);
  });
  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
    await server?.stop();
  });

  it('finds a message by chat id and shows its five steps with their summaries', async () => {
    // In the test, not in beforeAll: without Chromium this test is reported failed (not skipped), saying what to install.
    browser = await launchChromium();
    // This dev server is this file's alone, so the README's chat id cannot collide with another test's.
    const chatId = '42';
    const outcome = await relay.send('/whoami', { chatId, userId: '7' });
    expect(outcome.outcome).toBe('answered');
    const query = `RelayChatId = "${chatId}"`;
    await waitUntilListed(relay.client, query, outcome.workflowId);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.setDefaultNavigationTimeout(30_000);

    // The workflow list, filtered through the URL exactly as the README's link does.
    await page.goto(`${server.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
    await page.getByRole('button', { name: query, exact: true }).waitFor();
    const list = page.getByRole('table', { name: 'Workflows' });
    const link = list.getByRole('link', { name: outcome.workflowId, exact: true });
    await link.waitFor();
    expect(await list.getByRole('rowgroup').nth(1).getByRole('row').count()).toBe(1);
    // Down to the pager under the list: the rest of the page is empty.
    const pager = (await page.getByRole('navigation', { name: 'Workflows' }).boundingBox())!;
    await screenshot(page, 'web-ui-filter-by-chat.png', pager.y + pager.height + 16);

    // The message workflow: the compact event history has one row per step, and the timeline labels each
    // activity "name • summary". Summaries are encrypted in the history: seeing them proves the codec endpoint.
    await link.click();
    await page.waitForURL((url) => url.pathname.includes(`/workflows/${outcome.workflowId}/`));
    await page.getByRole('button', { name: 'Compact' }).click();
    const rows = page.getByRole('row');
    for (const [step, summary] of stepSummaries(chatId)) {
      await rows.filter({ hasText: step }).filter({ hasText: summary }).waitFor();
      await page.getByText(`${step} • ${summary}`, { exact: true }).waitFor();
    }
    const compactRows = rows.filter({ hasText: 'Activity Type' });
    expect(await compactRows.count()).toBe(5);
    // The heading just below the UI's sticky top bar, the timeline and the compact history under it.
    await page.getByRole('heading', { name: 'Event History' }).evaluate((heading) => {
      heading.scrollIntoView({ block: 'start' });
      let scroller = heading.parentElement;
      while (scroller && scroller.scrollTop === 0) scroller = scroller.parentElement;
      if (scroller) scroller.scrollTop -= 56;
    });
    await screenshot(page, 'web-ui-message-workflow.png');
    await page.close();
  }, 600_000); // the first run on a machine may install Chromium
});

/** Waits (bounded) until the visibility store lists the workflow, so the UI's first load already shows it. */
async function waitUntilListed(client: Client, query: string, workflowId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    for await (const workflow of client.workflow.list({ query })) if (workflow.workflowId === workflowId) return;
    if (Date.now() > deadline) throw new Error(`${workflowId} is not listed for ${query} after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Saves the viewport (down to `height`, when given) into docs/ only when recording, so ordinary runs leave the
 * committed files alone.
 */
async function screenshot(page: Page, name: string, height?: number): Promise<void> {
  if (!RECORD) return;
  mkdirSync(DOCS, { recursive: true });
  const viewport = page.viewportSize()!;
  const clip =
    height === undefined ? undefined : { x: 0, y: 0, width: viewport.width, height: Math.min(Math.ceil(height), viewport.height) };
  await page.screenshot({ path: path.join(DOCS, name), clip });
}
