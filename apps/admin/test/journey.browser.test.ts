import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentExecute,
  type Browser,
  containsText,
  hasCount,
  hasValue,
  lacksText,
  launchBrowser,
  type RunningServer,
  readSetupCode,
  startServer,
  visible,
} from './harness';
import { checkPageState, VIEWPORTS } from './page-checks';

/**
 * The whole admin journey in real headless Chromium against the real server (fresh data
 * directory): setup → credentials → profile → attach → lock → key → agent → revoke, plus
 * expiry, regeneration, export/import, session expiry, password change and deep links.
 * The tests run in order and build on each other, like a person using the app. Every page state
 * they reach goes through checkPageState: no sideways scroll and no axe violation at a laptop's
 * and a phone's width, with screenshots of both in test-results/.
 */

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a different, longer passphrase';
const STRIPE_VALUE = `sk_live_${randomBytes(12).toString('hex')}`;

let server: RunningServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const state = { profileId: '', key: '', secondProfileId: '', secondKey: '', exportPath: '' };

const url = (path: string) => `${server.base}${path}`;

async function agentGet(path: string): Promise<{ status: number; body: unknown; type: string }> {
  const r = await fetch(url(path), { headers: { accept: 'application/json' } });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.json() };
}

/** What the focused element says (its label, else its text). */
async function focusedText(): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    return (el?.getAttribute('aria-label') ?? el?.textContent ?? '').trim();
  });
}

/** On a profile's page: ticks these credentials and attaches them in one go. */
async function attach(...names: string[]): Promise<void> {
  for (const name of names)
    await page.getByRole('checkbox', { name: new RegExp(`^${name}\\b`) }).check();
  const n = names.length;
  await page.getByRole('button', { name: `Attach ${n} credential${n === 1 ? '' : 's'}` }).click();
  for (const name of names) await visible(page.getByRole('button', { name: `Detach ${name}` }));
}

/** On a profile's page: unfolds the danger zone (regenerate, revoke, delete). */
async function openDangerZone(): Promise<void> {
  const zone = page.locator('details#danger-zone');
  if ((await zone.getAttribute('open')) === null) await zone.locator('summary').click();
}

/** Waits until the execution detail page shows a status matching `re` (it polls by itself). */
async function statusBecomes(re: RegExp): Promise<void> {
  await expect
    .poll(async () => page.locator('.status-line .badge').textContent(), { timeout: 30_000 })
    .toMatch(re);
}

/**
 * The agent step of the journey: a script signed with the key prints the credential; the admin
 * sees the execution with the value redacted. Then live status: a script waiting on
 * `llm.complete` shows as awaiting the LLM until the agent answers, and a long one is cancelled
 * from the UI. The page updates itself in both cases (no reload).
 */
async function agentRunsScriptAndAdminSeesRedactedOutput(fullKey: string): Promise<void> {
  const script = `print("token:", settings["STRIPE_KEY"])\nset_result({"echo": settings["STRIPE_KEY"]})`;
  const started = await agentExecute(server.base, fullKey, script);
  expect(started.status).toBe(202);
  const id = String(started.body.execution_id);
  await page.goto(url('/ui/executions'));
  await page.getByRole('link', { name: id }).click();
  await page.waitForURL(`**/ui/executions/${id}`);
  await statusBecomes(/completed|error|timeout/);
  const text = (await page.locator('main').textContent()) ?? '';
  expect(text).toContain('[REDACTED:STRIPE_KEY]');
  expect(text).not.toContain(STRIPE_VALUE);
  await containsText(
    page.getByRole('region', { name: 'Standard output' }),
    'token: [REDACTED:STRIPE_KEY]',
  );
  await containsText(
    page.getByRole('region', { name: 'Result' }),
    '"echo": "[REDACTED:STRIPE_KEY]"',
  );
  await containsText(page.getByRole('region', { name: 'Redactions per credential' }), 'STRIPE_KEY');
  await checkPageState(page, '06-execution-detail');

  // An LLM round trip: the page shows the prompt while waiting, then the exchange.
  const asking = await agentExecute(
    server.base,
    fullKey,
    'answer = llm.complete("Say yes", model="small")\nset_result({"answer": answer})',
  );
  expect(asking.status).toBe(202);
  const askingId = String(asking.body.execution_id);
  await page.goto(url(`/ui/executions/${askingId}`));
  await statusBecomes(/awaiting LLM/);
  await containsText(page.locator('main'), 'Say yes');
  await checkPageState(page, '06b-execution-awaiting-llm');
  const answered = await fetch(url(`/executions/${askingId}/respond`), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ response: 'yes' }),
  });
  expect(answered.status).toBe(200);
  await statusBecomes(/completed/);
  await containsText(page.getByRole('region', { name: 'Result' }), '"answer": "yes"');
  await containsText(page.locator('.exchanges'), 'Say yes');

  // Cancel a long run from its page.
  const slow = await agentExecute(
    server.base,
    fullKey,
    'import time\ntime.sleep(25)\nprint("never")',
  );
  expect(slow.status).toBe(202);
  const slowId = String(slow.body.execution_id);
  await page.goto(url(`/ui/executions/${slowId}`));
  await statusBecomes(/pending|running/);
  await visible(page.getByText('(updating live)'));
  await page.getByRole('button', { name: 'Stop execution…' }).click();
  await page.getByRole('button', { name: 'Stop execution', exact: true }).click();
  await statusBecomes(/cancelled/);
  // Stopped before printing: no output section at all.
  await hasCount(page.getByRole('region', { name: 'Standard output' }), 0);

  // Filters: only the completed runs, and they survive a reload (they live in the URL).
  await page.goto(url('/ui/executions'));
  await page.getByLabel('Status').selectOption('completed');
  await hasCount(page.getByRole('link', { name: slowId }), 0);
  await visible(page.getByRole('link', { name: id }));
  await page.reload();
  await visible(page.getByRole('link', { name: askingId }));
  await hasCount(page.getByRole('link', { name: slowId }), 0);
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser(server.base);
  page = browser.page;
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // 4xx answers the UI handles on purpose are logged by Chromium as failed resources.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text()))
      pageErrors.push(`console: ${m.text()}`);
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('admin journey in Chromium', () => {
  it('first visit: / goes to setup, which says where the code is; setup logs in', async () => {
    await page.goto(url('/'));
    await page.waitForURL('**/ui/setup');
    const setup = await readSetupCode(server.base, server.dataDir);
    expect(setup.path.startsWith(server.dataDir)).toBe(true);
    // The page names the file relative to the data directory (no server path is given away).
    await visible(page.getByText('private/setup-code').first());
    await page.getByLabel('Setup code').fill('WRONG-CODE');
    await page.getByLabel('Admin password').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create admin and log in' }).click();
    await containsText(page.getByRole('alert'), 'Invalid setup code');
    await page.getByLabel('Setup code').fill(setup.code);
    await page.getByLabel('Admin password').fill('short');
    await page.getByLabel('Repeat the password').fill('short');
    await page.getByRole('button', { name: 'Create admin and log in' }).click();
    await visible(page.getByText('Use at least 12 characters.'));
    await page.getByLabel('Admin password').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await checkPageState(page, '01-setup');
    await page.getByRole('button', { name: 'Create admin and log in' }).click();
    await page.waitForURL('**/ui/overview');
    await visible(page.getByRole('heading', { name: 'Overview' }));
  });

  it('on a phone the pages are behind a menu: Escape and going to a page close it', async () => {
    const before = page.viewportSize();
    await page.setViewportSize(VIEWPORTS.narrow);
    try {
      // One row of header, not a stack of links.
      expect((await page.getByRole('banner').boundingBox())?.height).toBeLessThan(80);
      const menu = page.getByRole('button', { name: 'Menu' });
      const credentials = page.getByRole('link', { name: 'Credentials' });
      await hasCount(credentials, 0);
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await visible(credentials);
      await checkPageState(page, '01b-menu-open');
      await credentials.focus();
      await page.keyboard.press('Escape');
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await focusedText()).toBe('Menu');
      await hasCount(credentials, 0);
      await menu.click();
      await credentials.click();
      await page.waitForURL('**/ui/credentials');
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      await hasCount(credentials, 0);
    } finally {
      if (before) await page.setViewportSize(before);
    }
  });

  it('credentials: create with a value, warn on a short one, show value status', async () => {
    await page.getByRole('link', { name: 'Credentials' }).click();
    await page.waitForURL('**/ui/credentials');
    await visible(page.getByText('No credentials yet'));

    await page.getByLabel('Name').fill('1BAD');
    await page.getByRole('button', { name: 'Create credential' }).click();
    await visible(page.getByText(/not starting with a digit/));

    await page.getByLabel('Name').fill('STRIPE_KEY');
    await page.getByLabel('Description').fill('Stripe, read-only');
    await page.getByLabel('Value (optional)').fill(STRIPE_VALUE);
    await page.getByRole('button', { name: 'Create credential' }).click();
    await visible(page.getByText('Created STRIPE_KEY with its value.'));

    await page.getByLabel('Name').fill('SHORT_PIN');
    await page.getByLabel('Value (optional)').fill('4711');
    await visible(page.getByText(/shorter than 8 characters/));
    await page.getByRole('button', { name: 'Create credential' }).click();
    await visible(page.getByText('Created SHORT_PIN with its value.'));

    for (const name of ['WAITING_TOKEN', 'UNUSED_SLOT']) {
      await page.getByLabel('Name').fill(name);
      await page.getByRole('button', { name: 'Create credential' }).click();
      await visible(page.getByText(`Created ${name} (no value yet).`));
    }

    const row = (name: string) => page.getByRole('row').filter({ hasText: name });
    await containsText(row('STRIPE_KEY'), 'value set');
    await containsText(row('SHORT_PIN'), 'not redactable');
    await containsText(row('WAITING_TOKEN'), 'no value');
    // The value is never echoed back: not in the page, not in any input.
    expect(await page.content()).not.toContain(STRIPE_VALUE);
    await checkPageState(page, '02-credentials');

    // Set a value through the row's form, then rotate it.
    await page.getByRole('button', { name: 'Set value of UNUSED_SLOT' }).click();
    await page.getByLabel('value for UNUSED_SLOT').fill('first-value-123');
    await page.getByRole('button', { name: 'Save value' }).click();
    await containsText(row('UNUSED_SLOT'), 'value set');
    await page.getByRole('button', { name: 'Rotate value of UNUSED_SLOT' }).click();
    await page.getByLabel('New value for UNUSED_SLOT').fill('second-value-456');
    await page.getByRole('button', { name: 'Save value' }).click();
    await hasCount(page.getByRole('button', { name: 'Save value' }), 0);
  });

  it('profile: create, attach, lock after a confirmation listing what the key reaches', async () => {
    await page.getByRole('link', { name: 'Profiles' }).click();
    await visible(page.getByText('No profiles yet'));
    await page.getByLabel('Description').fill('Billing agent');
    await page.getByRole('button', { name: 'Create profile' }).click();
    await page.waitForURL(/\/ui\/profiles\/[0-9a-f-]{36}$/);
    state.profileId = page.url().split('/').pop() ?? '';

    // Several at once: tick them, and one request attaches them all.
    await attach('STRIPE_KEY', 'WAITING_TOKEN');
    await page.getByRole('button', { name: 'Detach WAITING_TOKEN' }).click();
    await hasCount(page.getByRole('button', { name: 'Detach WAITING_TOKEN' }), 0);
    await attach('WAITING_TOKEN');

    // The network policy: an allowlist, saved, then part of what the lock confirmation shows.
    await page.getByLabel('Mode').selectOption('allowlist');
    await page.getByLabel(/Hosts, one per line/).fill('api.stripe.com\nbad host');
    await page.getByRole('button', { name: 'Save network policy' }).click();
    await visible(page.getByText(/invalid host name in "bad host"/));
    await page.getByLabel(/Hosts, one per line/).fill('api.stripe.com\n10.0.0.5:5432');
    await page.getByRole('button', { name: 'Save network policy' }).click();
    await visible(page.getByRole('list', { name: 'Hosts the key reaches' }));
    await checkPageState(page, '02b-network-policy');

    await page.getByRole('button', { name: 'Lock and issue key…' }).click();
    const reach = page.getByRole('list', { name: 'Credentials the key reaches' });
    expect(
      (await reach.getByRole('listitem').allInnerTexts()).map((t) => t.split(/\s/)[0]),
    ).toEqual(['STRIPE_KEY', 'WAITING_TOKEN']);
    const hosts = page
      .getByRole('alertdialog')
      .getByRole('list', { name: 'Hosts the key reaches' });
    expect(await hosts.getByRole('listitem').allInnerTexts()).toEqual([
      'api.stripe.com',
      '10.0.0.5:5432',
    ]);
    await checkPageState(page, '03-lock-confirmation');
    await page.getByRole('button', { name: 'Lock and show key' }).click();

    const keyField = page.getByLabel(/Key \(give this to your agent/);
    await hasValue(keyField, /^ark_[a-z0-9]{24}:[A-Za-z0-9]{48}$/);
    state.key = await keyField.inputValue();
    await visible(page.getByText('you will not see this again'));
    await page.getByRole('button', { name: 'Copy key' }).click();
    await visible(page.getByText('Copied.'));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(state.key);
    await checkPageState(page, '04-key-once');

    const agentView = await agentGet(`/profiles/${state.profileId}`);
    expect(agentView.body).toMatchObject({ locked: true, key_id: state.key.split(':')[0] });

    // Once dismissed, the key is gone for good, also after a reload. The lock button that opened
    // the dialog is gone too: focus lands on the next step, giving the key to the agent.
    await page.getByRole('button', { name: 'Done, hide the key' }).click();
    await hasCount(keyField, 0);
    expect(await focusedText()).toContain('Give it to the agent');
    await page.reload();
    await visible(page.getByRole('heading', { name: /Billing agent/ }));
    const secret = state.key.split(':')[1] ?? '';
    expect(await page.content()).not.toContain(secret);
    // The snippet tells the agent how to use the key, with this key id.
    await visible(page.getByText(`Authorization: Bearer ${state.key.split(':')[0]}`));
    await checkPageState(page, '05-profile-locked');
  });

  it('an agent uses the key; the admin sees the execution (redacted)', async () => {
    await agentRunsScriptAndAdminSeesRedactedOutput(state.key);
  });

  it('live output: the first line shows on the execution page while the script still runs', async () => {
    const script = [
      'import time',
      'print("first line of live output", flush=True)',
      'print("x" * 600, flush=True)',
      'time.sleep(3)',
      'print("last line")',
    ].join('\n');
    const started = await agentExecute(server.base, state.key, script);
    expect(started.status).toBe(202);
    const id = String(started.body.execution_id);
    await page.goto(url(`/ui/executions/${id}`));
    const live = page.getByRole('region', { name: 'Live output' });
    // 612 bytes printed, 512 held back: the first line is out during the sleep.
    await containsText(live.getByRole('figure', { name: 'Standard output' }), 'first line');
    const during = (await page.locator('.status-line .badge').textContent()) ?? '';
    expect(during).toMatch(/pending|running/);
    await containsText(live, 'The last 512 bytes of each stream are held back');
    await containsText(live, 'Running…');
    await checkPageState(page, '06c-execution-live-output');
    // At the end, the stored output replaces the live section.
    await statusBecomes(/completed/);
    await containsText(page.getByRole('region', { name: 'Standard output' }), 'last line');
    await hasCount(live, 0);
  });

  it('overview: what waits for a person, and the numbers', async () => {
    await page.goto(url('/ui/overview'));
    const waiting = page.locator('section').filter({ has: page.locator('#waiting') });
    await containsText(waiting, 'WAITING_TOKEN');
    await lacksText(waiting, 'UNUSED_SLOT');
    await checkPageState(page, '07-overview');
  });

  it('expiry: set, listed as expiring soon, expired in the past, cleared', async () => {
    await page.goto(url('/ui/profiles'));
    await page.getByLabel('Description').fill('Expiring helper');
    await page.getByRole('button', { name: 'Create profile' }).click();
    await page.waitForURL(/\/ui\/profiles\/[0-9a-f-]{36}$/);
    state.secondProfileId = page.url().split('/').pop() ?? '';

    const local = (ms: number) => {
      const d = new Date(Date.now() + ms);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    };
    await page.getByLabel('Expires (your local time)').fill(local(2 * 24 * 3600 * 1000));
    await page.getByRole('button', { name: 'Set expiry' }).click();
    await visible(page.getByText('Expiry saved.'));
    await containsText(page.getByTestId('expiry-state'), 'Expires');
    expect((await agentGet(`/profiles/${state.secondProfileId}`)).body).toMatchObject({
      expired: false,
    });
    await page.getByRole('link', { name: 'Overview' }).click();
    const expiring = page.locator('.waiting-group').filter({
      has: page.getByRole('heading', { name: 'Profiles expiring within 7 days' }),
    });
    await visible(expiring.getByRole('link', { name: 'Expiring helper' }));

    await page.goto(url(`/ui/profiles/${state.secondProfileId}`));
    await page.getByLabel('Expires (your local time)').fill(local(-3600 * 1000));
    await page.getByRole('button', { name: 'Set expiry' }).click();
    await containsText(page.getByTestId('expiry-state'), 'Expired');
    expect((await agentGet(`/profiles/${state.secondProfileId}`)).body).toMatchObject({
      expired: true,
    });
    await checkPageState(page, '08-profile-expired');

    await page.getByRole('button', { name: 'Clear expiry' }).click();
    await containsText(page.getByTestId('expiry-state'), 'No expiry');
    expect((await agentGet(`/profiles/${state.secondProfileId}`)).body).toMatchObject({
      expires_at: null,
      expired: false,
    });
  });

  it('replay protection and regeneration: a new key, shown once; the old key id is gone', async () => {
    // The checkbox shows the server's state, so it flips once the server has saved it.
    await page.getByLabel(/Require replay-protected/).click();
    await visible(page.getByText('Replay protection saved.'));
    expect(await page.getByLabel(/Require replay-protected/).isChecked()).toBe(true);
    expect((await agentGet(`/profiles/${state.secondProfileId}`)).status).toBe(200);
    await attach('SHORT_PIN');
    await page.getByRole('button', { name: 'Lock and issue key…' }).click();
    await page.getByRole('button', { name: 'Lock and show key' }).click();
    const keyField = page.getByLabel(/Key \(give this to your agent/);
    const first = await keyField.inputValue();
    await page.getByRole('button', { name: 'Done, hide the key' }).click();

    await openDangerZone();
    await page.getByRole('button', { name: 'Regenerate key…' }).click();
    await page.getByRole('button', { name: 'Regenerate key', exact: true }).click();
    await hasValue(keyField, /^ark_[a-z0-9]{24}:[A-Za-z0-9]{48}$/);
    state.secondKey = await keyField.inputValue();
    expect(state.secondKey.split(':')[0]).not.toBe(first.split(':')[0]);
    await visible(page.getByText('you will not see this again'));
    await checkPageState(page, '09-regenerated-key');
    expect((await agentGet(`/profiles/${state.secondProfileId}`)).body).toMatchObject({
      key_id: state.secondKey.split(':')[0],
    });
    // The ready-to-paste snippet works as pasted: Python, the key in AIRLOCK_KEY, v2 signing.
    const snippet = (await page.getByTestId('agent-snippet').textContent()) ?? '';
    const run = spawnSync('/usr/bin/python3', ['-c', snippet], {
      env: { AIRLOCK_KEY: state.secondKey, PATH: process.env.PATH ?? '/usr/bin' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain("completed {'ok': True} ['SHORT_PIN']");
    // The old key died at once; the new one works (v2 signature, as this profile requires).
    expect(await agentExecute(server.base, first, 'print(1)')).toMatchObject({ status: 401 });
    expect((await agentExecute(server.base, state.secondKey, 'print(1)')).status).toBe(202);
    // Closing the key dialog puts focus back on what opened it.
    await page.getByRole('button', { name: 'Done, hide the key' }).click();
    expect(await focusedText()).toBe('Regenerate key…');

    // An expiry in the past stops the key; clearing it brings the key back.
    const past = new Date(Date.now() - 3600 * 1000);
    const p2 = (n: number) => String(n).padStart(2, '0');
    await page
      .getByLabel('Expires (your local time)')
      .fill(
        `${past.getFullYear()}-${p2(past.getMonth() + 1)}-${p2(past.getDate())}T${p2(past.getHours())}:${p2(past.getMinutes())}`,
      );
    await page.getByRole('button', { name: 'Set expiry' }).click();
    await containsText(page.locator('h1 .badge'), 'expired');
    expect(await agentExecute(server.base, state.secondKey, 'print(1)')).toMatchObject({
      status: 401,
      body: { detail: 'Profile has expired' },
    });
    await page.getByRole('button', { name: 'Clear expiry' }).click();
    await containsText(page.locator('h1 .badge'), 'locked');
    expect((await agentExecute(server.base, state.secondKey, 'print(2)')).status).toBe(202);
  });

  it('revoke: after a confirmation the profile is revoked, for the agent API too', async () => {
    await page.goto(url(`/ui/profiles/${state.profileId}`));
    // Keyboard: the confirmation takes focus (on its way out), Escape backs out of it, and focus
    // is back on the button that opened it, where Enter opens it again.
    await openDangerZone();
    await page.getByRole('button', { name: 'Revoke…' }).click();
    await visible(page.getByRole('alertdialog'));
    expect(await focusedText()).toBe('Keep it working');
    await page.keyboard.press('Escape');
    await hasCount(page.getByRole('alertdialog'), 0);
    expect(await focusedText()).toBe('Revoke…');
    await page.keyboard.press('Enter');
    await containsText(page.getByRole('alertdialog'), 'cannot be undone');
    await checkPageState(page, '10a-revoke-confirmation');
    await page.getByRole('button', { name: 'Revoke for good' }).click();
    await containsText(page.locator('h1 .badge'), 'revoked');
    expect((await agentGet(`/profiles/${state.profileId}`)).body).toMatchObject({ revoked: true });
    // The key is refused from now on.
    const refused = await agentExecute(server.base, state.key, 'print(1)');
    expect(refused).toMatchObject({ status: 401, body: { detail: 'Profile has been revoked' } });
    await checkPageState(page, '10-profile-revoked');
  });

  it('a refused delete says why', async () => {
    await page.goto(url('/ui/credentials'));
    await page.getByRole('button', { name: 'Delete SHORT_PIN' }).click();
    await page.getByRole('button', { name: 'Delete credential' }).click();
    await containsText(page.getByRole('alert'), 'Not deleted');
    await containsText(page.getByRole('alert'), /locked/i);
  });

  it('export (passphrase twice) and import (preview, strategy, confirm)', async () => {
    await page.goto(url('/ui/settings'));
    const pass = 'four unrelated words here';
    await page.getByLabel('Passphrase', { exact: true }).fill('short');
    await visible(page.getByText(/Too short/));
    await page.getByLabel('Passphrase', { exact: true }).fill(pass);
    await visible(page.getByText('Strong.'));
    await page.getByLabel('Repeat the passphrase').fill(`${pass}!`);
    await page.getByRole('button', { name: 'Download export' }).click();
    await visible(page.getByText('The two passphrases do not match.'));
    await page.getByLabel('Repeat the passphrase').fill(pass);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download export' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.airlock-export$/);
    state.exportPath = `${browser.downloads}/${download.suggestedFilename()}`;
    await download.saveAs(state.exportPath);
    expect(readFileSync(state.exportPath).length).toBeGreaterThan(100);
    expect(readFileSync(state.exportPath).toString('latin1')).not.toContain(STRIPE_VALUE);
    await checkPageState(page, '11-settings-export');

    // Remove a credential, then bring it back from the export.
    await page.goto(url('/ui/credentials'));
    await page.getByRole('button', { name: 'Delete UNUSED_SLOT' }).click();
    await page.getByRole('button', { name: 'Delete credential' }).click();
    await hasCount(page.getByRole('row').filter({ hasText: 'UNUSED_SLOT' }), 0);

    await page.goto(url('/ui/settings'));
    await page.getByLabel('Export file').setInputFiles(state.exportPath);
    await page.getByLabel('Its passphrase').fill('not the passphrase');
    await page.getByRole('button', { name: 'Preview import' }).click();
    await visible(page.getByText('Cannot import this file'));
    await page.getByLabel('Its passphrase').fill(pass);
    await page.getByRole('button', { name: 'Preview import' }).click();
    const plan = page.getByTestId('import-plan');
    await containsText(plan.getByRole('row').filter({ hasText: 'Credentials' }), 'UNUSED_SLOT');
    await page.getByLabel('Keep what is here (skip them)').check();
    await checkPageState(page, '12-import-preview');
    await page.getByRole('button', { name: 'Import now' }).click();
    await visible(page.getByText(/Imported \(existing items kept\): 1 new credential,/));
    await page.getByRole('link', { name: 'Credentials' }).click();
    await containsText(page.getByRole('row').filter({ hasText: 'UNUSED_SLOT' }), 'value set');
  });

  it('audit log lists what happened', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    // Each entry is a sentence, with its action's name below it.
    const entries = page.getByRole('list', { name: 'Audit entries, newest first' });
    await visible(entries.getByRole('listitem').filter({ hasText: 'profile.lock' }).first());
    await containsText(
      entries.getByRole('listitem').filter({ hasText: 'profile.revoke' }),
      'Admin revoked profile',
    );
    expect(await page.content()).not.toContain(STRIPE_VALUE);
    await checkPageState(page, '13-audit');
  });

  it('an expired session sends any page to login, and login returns to it', async () => {
    await page.goto(url('/ui/profiles'));
    await visible(page.getByRole('heading', { name: 'Profiles', level: 1 }));
    await browser.context.clearCookies();
    await page.getByRole('link', { name: 'Credentials' }).click();
    await page.waitForURL('**/ui/login');
    await visible(page.getByText('Your session expired.'));
    await checkPageState(page, '14-login-expired');
    await page.getByLabel('Admin password').fill('wrong password here');
    await page.getByRole('button', { name: 'Log in' }).click();
    await containsText(page.getByRole('alert'), 'Invalid password');
    await page.getByLabel('Admin password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/ui/credentials');
  });

  it('change the password; log out; log in with the new one', async () => {
    await page.goto(url('/ui/settings'));
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await containsText(page.getByRole('alert'), 'Current password is incorrect');
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await visible(page.getByText(/Password changed/));
    // Still logged in with the new session.
    await page.getByRole('link', { name: 'Profiles' }).click();
    await visible(page.getByRole('heading', { name: 'Profiles', level: 1 }));

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/ui/login');
    await visible(page.getByText('You are logged out.'));
    expect((await fetch(url('/api/admin/session'))).status).toBe(401);
    await page.getByLabel('Admin password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await containsText(page.getByRole('alert'), 'Invalid password');
    await page.getByLabel('Admin password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/ui/overview');
  });

  it('every page loads from its own URL (deep link and reload); API paths never answer HTML', async () => {
    const pages: Array<[string, string | RegExp, string]> = [
      ['/ui/overview', 'Overview', 'page-overview'],
      ['/ui/credentials', 'Credentials', 'page-credentials'],
      ['/ui/profiles', 'Profiles', 'page-profiles'],
      [`/ui/profiles/${state.secondProfileId}`, /Expiring helper/, 'page-profile'],
      ['/ui/executions?status=completed', 'Executions', 'page-executions'],
      ['/ui/executions/exec_00000000000000000000000000000000', 'Execution', 'page-execution'],
      ['/ui/requirements', 'Requirements', 'page-requirements'],
      ['/ui/audit', 'Audit log', 'page-audit'],
      ['/ui/settings', 'Settings', 'page-settings'],
      ['/ui/no-such-page', 'Page not found', 'page-not-found'],
    ];
    for (const [path, heading, shot] of pages) {
      await page.goto(url(path));
      await expect.poll(() => page.title()).toMatch(/· Airlock$/);
      await visible(page.getByRole('heading', { name: heading, level: 1 }));
      await page.reload();
      await visible(page.getByRole('heading', { name: heading, level: 1 }));
      expect(new URL(page.url()).pathname).toBe(path.split('?')[0]);
      await checkPageState(page, shot);
    }
    // Dark mode follows the system: every colour token has a dark value with enough contrast.
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await page.goto(url('/ui/executions'));
      await visible(page.getByRole('heading', { name: 'Executions', level: 1 }));
      await checkPageState(page, 'dark-executions');
      await page.goto(url('/ui/credentials'));
      await visible(page.getByRole('heading', { name: 'Credentials', level: 1 }));
      await checkPageState(page, 'dark-credentials');
    } finally {
      await page.emulateMedia({ colorScheme: null });
    }
    // The first Tab reaches the skip link, which moves focus to the page content.
    await page.goto(url('/ui/overview'));
    await visible(page.getByRole('heading', { name: 'Overview', level: 1 }));
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    // Filters survive a reload: they live in the URL.
    await visible(page.getByRole('heading', { level: 1 }));
    await page.goto(url('/ui/executions?status=completed'));
    await hasValue(page.getByLabel('Status'), 'completed');

    for (const path of ['/profiles', '/credentials', '/api/admin/profiles', '/api/nope']) {
      const r = await fetch(url(path), { headers: { accept: 'text/html' } });
      expect(r.headers.get('content-type') ?? '').not.toContain('text/html');
    }
  });

  it('a deep link while logged out goes through login and back', async () => {
    await browser.context.clearCookies();
    await page.goto(url(`/ui/profiles/${state.profileId}`));
    await page.waitForURL('**/ui/login');
    await page.getByLabel('Admin password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`**/ui/profiles/${state.profileId}`);
    await visible(page.getByRole('heading', { name: /Billing agent/ }));
  });

  it('edit a description, clear a value, delete a revoked profile', async () => {
    await page.goto(url('/ui/credentials'));
    const row = (name: string) => page.getByRole('row').filter({ hasText: name });
    await page.getByRole('button', { name: 'Edit description of UNUSED_SLOT' }).click();
    await page.getByLabel('Description of UNUSED_SLOT', { exact: true }).fill('Spare slot');
    await page.getByRole('button', { name: 'Save description' }).click();
    await containsText(row('UNUSED_SLOT'), 'Spare slot');
    await page.getByRole('button', { name: 'Clear value of UNUSED_SLOT' }).click();
    await page.getByRole('button', { name: 'Clear value', exact: true }).click();
    await containsText(row('UNUSED_SLOT'), 'no value');

    await page.goto(url(`/ui/profiles/${state.profileId}`));
    await openDangerZone();
    await page.getByRole('button', { name: 'Delete profile…' }).click();
    await page.getByRole('button', { name: 'Delete profile', exact: true }).click();
    await page.waitForURL('**/ui/profiles');
    await hasCount(page.getByRole('link', { name: 'Billing agent' }), 0);
    expect((await agentGet(`/profiles/${state.profileId}`)).status).toBe(404);
  });

  it('broker a credential to hosts (the server refuses an address); rotate the egress CA', async () => {
    await page.goto(url('/ui/credentials'));
    const row = page.getByRole('row').filter({ hasText: 'UNUSED_SLOT' });
    await containsText(row, 'injected');
    await page.getByRole('button', { name: 'Change delivery of UNUSED_SLOT' }).click();
    const form = page.getByRole('form', { name: 'Delivery of UNUSED_SLOT' });
    await form.getByRole('radio', { name: /^Broker/ }).check();
    const hosts = form.getByLabel(/Hosts that receive the value/);
    await hosts.fill('10.0.0.1');
    await form.getByRole('button', { name: 'Save delivery' }).click();
    await containsText(form.getByRole('alert'), 'Delivery not changed');
    await containsText(form.getByRole('alert'), '10.0.0.1');
    await checkPageState(page, '15-credential-delivery-refused');
    await hosts.fill('api.example.com\n*.example.com:8443');
    await form.getByRole('button', { name: 'Save delivery' }).click();
    await containsText(row, 'brokered → api.example.com, *.example.com:8443');
    await hasCount(form, 0);
    await checkPageState(page, '16-credential-brokered');

    await page.goto(url('/ui/settings'));
    const ca = page.getByRole('region', { name: 'Egress certificate authority' });
    await containsText(ca, 'CN=');
    const fingerprint = ca.locator('dt:has-text("SHA-256 fingerprint") + dd');
    const before = (await fingerprint.textContent()) ?? '';
    expect(before).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    await ca.getByRole('button', { name: 'Rotate…' }).click();
    // The confirmation is a modal dialog, outside the section.
    await page.getByRole('button', { name: 'Rotate certificate authority' }).click();
    await visible(page.getByText(/Rotated\. New SHA-256 fingerprint/));
    await lacksText(fingerprint, before);
    await checkPageState(page, '17-egress-ca-rotated');
  });

  it('no script errors or CSP violations on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
