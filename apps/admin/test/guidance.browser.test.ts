import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentExecute,
  type Browser,
  containsText,
  hasCount,
  hasValue,
  launchBrowser,
  type RunningServer,
  readSetupCode,
  startServer,
  visible,
} from './harness';
import { checkPageState } from './page-checks';

/**
 * Guidance and what the agent did, in real Chromium against the real server (fresh data
 * directory): the Overview's first-run checklist ticks as each step is done; what an agent asks
 * for (a credential slot, a profile with the hosts it proposes) waits on the Overview marked as
 * the agent's; its profile is reviewed in a dialog before it is locked; a run waiting for an
 * LLM answer can be stopped from the Overview. The tests build on each other, in order.
 */

const PASSWORD = 'correct horse battery staple';
const SLOT = 'INVOICE_API_KEY';
const HOST = 'api.invoices.example';

let server: RunningServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const state = { profileId: '', key: '' };

const url = (path: string) => `${server.base}${path}`;

/** An agent's call to the open agent endpoints (no key needed to ask for slots and profiles). */
async function agent(method: string, path: string, body: unknown) {
  const r = await fetch(url(path), {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const checklist = () => page.getByRole('region', { name: 'Get started' });
const waiting = () => page.getByRole('region', { name: 'Waiting for you' });

/** The checklist says `n of 5 done`, and exactly the steps named are ticked. */
async function ticked(n: number, done: string[]): Promise<void> {
  await containsText(checklist(), `${n} of 5 done`);
  // Each step's link starts with what a screen reader hears: "Done: " or "To do: ".
  const names = await checklist()
    .getByRole('link')
    .evaluateAll((as) => as.map((a) => a.textContent ?? ''));
  expect(names.filter((t) => t.startsWith('Done: ')).map((t) => t.slice(6))).toEqual(done);
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser(server.base);
  page = browser.page;
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

afterAll(async () => {
  if (pageErrors.length > 0) console.error(`page errors:\n${pageErrors.join('\n')}`);
  await browser?.close();
  await server?.stop();
});

describe('guidance in Chromium', () => {
  it('a fresh instance shows the checklist with nothing ticked, and nothing waiting', async () => {
    await page.goto(url('/'));
    await page.waitForURL('**/ui/setup');
    const setup = await readSetupCode(server.base, server.dataDir);
    await page.getByLabel('Setup code').fill(setup.code);
    await page.getByLabel('Admin password').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create admin and log in' }).click();
    await page.waitForURL('**/ui/overview');

    await visible(checklist());
    await ticked(0, []);
    // The next step is marked as the current one and leads where it is done.
    const current = checklist().locator('[aria-current="step"]');
    await containsText(current, 'Store a credential with its value');
    expect(await current.getByRole('link').getAttribute('href')).toBe('/ui/credentials');
    await containsText(waiting(), 'Nothing is waiting for you');
    await checkPageState(page, 'guidance-01-fresh-overview');
  });

  it('what an agent asks for waits on the Overview, marked as the agent’s', async () => {
    const slot = await agent('POST', '/credentials', {
      credentials: [{ name: SLOT, description: 'Invoices API, read-only' }],
    });
    expect(slot.status).toBe(201);
    const profile = await agent('POST', '/profiles', { description: 'Invoice agent' });
    expect(profile.status).toBe(201);
    state.profileId = String(profile.body.id);
    expect(
      (await agent('POST', `/profiles/${state.profileId}/credentials`, { credentials: [SLOT] }))
        .status,
    ).toBe(200);
    expect(
      (
        await agent('PUT', `/profiles/${state.profileId}/network`, {
          mode: 'allowlist',
          allow: [HOST],
        })
      ).status,
    ).toBe(200);

    // The Overview looks again by itself: no reload.
    const slotItem = waiting().getByRole('listitem').filter({ hasText: SLOT }).first();
    await expect
      .poll(() => slotItem.count(), { timeout: 20_000, interval: 250 })
      .toBeGreaterThan(0);
    await containsText(slotItem, 'requested by agent');
    await containsText(slotItem, 'Invoices API, read-only');
    const draft = waiting().getByRole('listitem').filter({ hasText: 'Invoice agent' }).first();
    await containsText(draft, 'requested by agent');
    const hosts = waiting().getByRole('list', { name: 'Hosts Invoice agent proposes' });
    expect(await hosts.getByRole('listitem').allInnerTexts()).toEqual([HOST]);
    expect(
      await waiting()
        .getByRole('link', { name: 'Review and lock Invoice agent' })
        .getAttribute('href'),
    ).toBe(`/ui/profiles/${state.profileId}`);
    // The agent made a profile and attached its slot: those two steps are done.
    await ticked(2, ['Create a profile', 'Attach a credential to the profile']);
    await checkPageState(page, 'guidance-02-overview-agent-requests');
  });

  it('the credential and the profile carry the agent’s mark; setting the value ticks a step', async () => {
    await waiting()
      .getByRole('link', { name: `Set value of ${SLOT}` })
      .click();
    await page.waitForURL('**/ui/credentials');
    const row = page.getByRole('row').filter({ hasText: SLOT });
    await containsText(row, 'requested by agent');
    await checkPageState(page, 'guidance-03-credentials-agent-slot');
    await page.getByRole('button', { name: `Set value of ${SLOT}` }).click();
    await page.getByLabel(`value for ${SLOT}`).fill('inv_live_0123456789abcdef');
    await page.getByRole('button', { name: 'Save value' }).click();
    await containsText(row, 'value set');

    await page.goto(url('/ui/profiles'));
    const listed = page.getByRole('row').filter({ hasText: 'Invoice agent' });
    await containsText(listed, 'requested by agent');
    await checkPageState(page, 'guidance-04-profiles-agent-profile');

    await page.goto(url('/ui/overview'));
    await ticked(3, [
      'Store a credential with its value',
      'Create a profile',
      'Attach a credential to the profile',
    ]);
    // The slot has its value: it no longer waits.
    await hasCount(waiting().getByRole('heading', { name: 'Credentials without a value' }), 0);
    await containsText(waiting(), 'Profiles waiting to be locked');
  });

  it('an agent’s profile is reviewed in a dialog before it is locked', async () => {
    await page.goto(url(`/ui/profiles/${state.profileId}`));
    await containsText(page.getByRole('heading', { level: 1 }), 'requested by agent');
    const opener = page.getByRole('button', { name: 'Review and lock…' });
    await opener.click();
    const dialog = page.getByRole('alertdialog', { name: 'Review before locking' });
    await visible(dialog);
    const creds = dialog.getByRole('list', { name: 'Credentials the key reaches' });
    expect(await creds.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringMatching(new RegExp(`^${SLOT}\\s+injected$`)),
    ]);
    expect(
      await dialog.getByRole('list', { name: 'Hosts the key reaches' }).allInnerTexts(),
    ).toEqual([HOST]);
    await containsText(dialog, 'What locking means');
    await checkPageState(page, 'guidance-05-lock-review');

    // Going back locks nothing, and focus is on the button that opened the review.
    await dialog.getByRole('button', { name: 'Go back' }).click();
    await hasCount(dialog, 0);
    expect(await opener.evaluate((b) => b === document.activeElement)).toBe(true);
    const before = await fetch(url(`/profiles/${state.profileId}`)).then((r) => r.json());
    expect(before).toMatchObject({ locked: false });

    await opener.click();
    await dialog.getByRole('button', { name: 'Lock profile' }).click();
    const keyField = page.getByLabel(/Key \(give this to your agent/);
    await hasValue(keyField, /^ark_[a-z0-9]{24}:[A-Za-z0-9]{48}$/);
    state.key = await keyField.inputValue();
    await page.getByRole('button', { name: 'Copy key' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(state.key);
    await page.getByRole('button', { name: 'Done, hide the key' }).click();
    await hasCount(keyField, 0);

    await page.goto(url('/ui/overview'));
    await ticked(4, [
      'Store a credential with its value',
      'Create a profile',
      'Attach a credential to the profile',
      'Lock the profile and copy its key',
    ]);
    // The last step leads to the locked profile, where the agent snippet is.
    const current = checklist().locator('[aria-current="step"]');
    await containsText(current, 'Run a first execution');
    expect(await current.getByRole('link').getAttribute('href')).toBe(
      `/ui/profiles/${state.profileId}`,
    );
    await checkPageState(page, 'guidance-06-overview-locked');
  });

  it('a first execution completes the checklist; a run waiting for the LLM can be stopped', async () => {
    const first = await agentExecute(server.base, state.key, 'print("hello")', 60);
    expect(first.status).toBe(202);
    const asking = await agentExecute(
      server.base,
      state.key,
      "answer = llm.complete('Summarise the invoice')",
      60,
    );
    expect(asking.status).toBe(202);
    const id = String(asking.body.execution_id);

    await page.goto(url('/ui/overview'));
    const run = waiting().getByRole('listitem').filter({ hasText: 'llm.complete' });
    await expect.poll(() => run.count(), { timeout: 30_000, interval: 250 }).toBe(1);
    await containsText(run, 'Invoice agent');
    // Every step done: the checklist is gone.
    await expect.poll(() => checklist().count(), { timeout: 20_000, interval: 250 }).toBe(0);
    await checkPageState(page, 'guidance-07-overview-awaiting-llm');

    const stop = run.getByRole('button', { name: 'Stop execution…' });
    await stop.click();
    const confirm = page.getByRole('alertdialog', { name: 'Stop this execution?' });
    await visible(confirm);
    await checkPageState(page, 'guidance-08-stop-confirmation');
    await confirm.getByRole('button', { name: 'Keep running' }).click();
    await hasCount(confirm, 0);
    expect(await stop.evaluate((b) => b === document.activeElement)).toBe(true);

    await stop.click();
    await confirm.getByRole('button', { name: 'Stop execution' }).click();
    await hasCount(run, 0);
    // Read with the page's session cookie.
    const detail = await page.evaluate(
      (p) => fetch(p, { credentials: 'same-origin' }).then((r) => r.json()),
      `/api/admin/executions/${id}`,
    );
    expect(detail).toMatchObject({ status: 'error', cancelled: true });
    await containsText(waiting(), 'Nothing is waiting for you');
    await checkPageState(page, 'guidance-09-overview-all-done');
    expect(pageErrors).toEqual([]);
  });
});
