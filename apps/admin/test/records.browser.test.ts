import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWheel } from '../../server/src/test/wheels';
import {
  type Browser,
  containsText,
  hasCount,
  launchBrowser,
  type RunningServer,
  readSetupCode,
  startServer,
  visible,
} from './harness';
import { checkPageState } from './page-checks';

/**
 * Requirements, audit and the login page, in real Chromium against the real server (fresh data
 * directory, a package source of local wheels: there is no PyPI here): what scripts can import,
 * system packages included; an install through the admin form, and a failed one with its output;
 * the audit log in sentences with names and links, filtered on the server and exported as CSV;
 * what to do when the admin password is lost. The tests build on each other, in order.
 */

const PASSWORD = 'correct horse battery staple';
const PKG = 'airlock-records-pkg';
const SECRET = 'records-secret-value-7781';
const SLOT = 'WEATHER_API_KEY';

let server: RunningServer;
let browser: Browser;
let page: Page;
let wheels: string;
const pageErrors: string[] = [];
const state = { profileId: '' };

const url = (path: string) => `${server.base}${path}`;

async function call(method: string, path: string, body?: unknown, token?: string) {
  const r = await fetch(url(path), {
    method,
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const table = () => page.getByRole('region', { name: 'Importable packages' });
const row = (name: string, from: string) =>
  table().getByRole('row').filter({ hasText: name }).filter({ hasText: from });
const entries = () => page.getByRole('list', { name: 'Audit entries, newest first' });
const entry = (text: string) => entries().getByRole('listitem').filter({ hasText: text });

beforeAll(async () => {
  // The installer's uid must read the wheels.
  wheels = mkdtempSync(join(tmpdir(), 'airlock-records-wheels-'));
  chmodSync(wheels, 0o755);
  buildWheel(wheels, PKG, '1.0.0', 'installed from the admin form');
  server = await startServer({
    AIRLOCK_PIP_FIND_LINKS: wheels,
    AIRLOCK_PIP_NO_INDEX: '1',
    AIRLOCK_PIP_TIMEOUT: '60',
  });
  browser = await launchBrowser(server.base);
  page = browser.page;
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

afterAll(async () => {
  if (pageErrors.length > 0) console.error(`page errors:\n${pageErrors.join('\n')}`);
  await browser?.close();
  await server?.stop();
  if (wheels) rmSync(wheels, { recursive: true, force: true });
});

describe('records in Chromium', () => {
  it('the login page says what to do when the admin password is lost', async () => {
    const setup = await readSetupCode(server.base, server.dataDir);
    expect(
      (await call('POST', '/api/admin/setup', { setup_code: setup.code, password: PASSWORD }))
        .status,
    ).toBe(201);
    await page.goto(url('/ui/login'));
    await visible(page.getByRole('heading', { name: 'Log in to Airlock' }));
    const lost = page.locator('details.lost-password');
    expect(await lost.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await checkPageState(page, 'records-01-login');
    await page.getByText('Lost the admin password?').click();
    await containsText(lost, 'DELETE FROM sessions; DELETE FROM admin;');
    await containsText(lost, 'prints a new setup code');
    await checkPageState(page, 'records-02-login-lost-password');
    await page.getByLabel('Admin password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/ui/overview');
  });

  it('lists what scripts import, system packages included, each labelled', async () => {
    // What an admin and an agent did, for the audit log later.
    const token = String(
      (await call('POST', '/api/admin/login', { password: PASSWORD })).body.token,
    );
    expect(
      (await call('POST', '/api/admin/credentials', { name: 'BILLING_KEY', value: SECRET }, token))
        .status,
    ).toBe(201);
    expect((await call('POST', '/credentials', { credentials: [{ name: SLOT }] })).status).toBe(
      201,
    );
    const profile = await call('POST', '/profiles', { description: 'Weather agent' });
    state.profileId = String(profile.body.id);
    expect(
      (await call('POST', `/profiles/${state.profileId}/credentials`, { credentials: [SLOT] }))
        .status,
    ).toBe(200);
    expect(
      (
        await call(
          'POST',
          '/api/admin/credentials',
          { name: 'OLD_KEY', value: 'old-value-99' },
          token,
        )
      ).status,
    ).toBe(201);
    const gone = await fetch(url('/api/admin/credentials/OLD_KEY'), {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(gone.status).toBe(204);

    await page.getByRole('navigation').getByRole('link', { name: 'Requirements' }).first().click();
    await page.waitForURL('**/ui/requirements');
    await visible(table());
    // Debian's python3-requests, -httpx and -yaml: importable without any install.
    for (const name of ['requests', 'httpx', 'PyYAML']) await hasCount(row(name, 'system'), 1);
    await containsText(
      page.getByRole('region', { name: 'What scripts can import' }),
      'system packages',
    );
    await checkPageState(page, 'records-03-requirements');
    await page.getByLabel('Find a package').fill('yaml');
    await hasCount(table().getByRole('row'), 2);
    await checkPageState(page, 'records-04-requirements-search');
    await page.getByLabel('Find a package').fill('');
  });

  it('installs through the admin form, then shows a failed install with its output', async () => {
    await page.getByLabel(/^Packages/).fill(`${PKG}==1.0.0`);
    await page.getByLabel('For', { exact: true }).selectOption({ label: 'every profile' });
    await page.getByRole('button', { name: 'Install' }).click();
    // Progress while pip runs, then the result as a notice.
    await visible(page.getByRole('progressbar', { name: 'Installing' }));
    const notice = page.locator('.notice').filter({
      hasText: `Installed for every profile: ${PKG} 1.0.0.`,
    });
    await visible(notice);
    // Read, then closed (it would go by itself), so that it covers nothing in the screenshots.
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await hasCount(notice, 0);
    await hasCount(row(PKG, 'every profile'), 1);
    await containsText(row(PKG, 'every profile'), `${PKG}==1.0.0`);
    await checkPageState(page, 'records-05-requirements-installed');

    await page.getByLabel(/^Packages/).fill('no-such-package-anywhere');
    await page.getByRole('button', { name: 'Install' }).click();
    const failure = page
      .getByRole('alert')
      .filter({ hasText: 'The install failed; nothing changed' });
    await containsText(failure, 'The installer’s verdict: pip could not install it');
    await containsText(failure, 'no-such-package-anywhere');
    const failures = page.getByRole('region', { name: 'Recent failed installs' });
    await containsText(
      failures,
      'no-such-package-anywhere for every profile, asked by the admin: pip could not install it',
    );
    await checkPageState(page, 'records-06-requirements-failed');
  });

  it('reads the audit log in plain words, with names and links, and marks what is gone', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).first().click();
    await page.waitForURL('**/ui/audit');
    await visible(entries());
    await hasCount(entry(`Admin installed ${PKG}==1.0.0 for every profile`), 1);
    await hasCount(
      entry('Admin could not install no-such-package-anywhere for every profile (pip failed)'),
      1,
    );
    await hasCount(entry(`An agent (no key) asked for credential slot ${SLOT}`), 1);
    await hasCount(entry('Admin deleted credential OLD_KEY (deleted)'), 1);
    const attach = entry(
      `An agent (no key) attached credential ${SLOT} to profile ‘Weather agent’`,
    );
    await hasCount(attach, 1);
    expect(await attach.getByRole('link', { name: '‘Weather agent’' }).getAttribute('href')).toBe(
      `/ui/profiles/${state.profileId}`,
    );
    await checkPageState(page, 'records-07-audit');
    await attach.getByRole('link', { name: '‘Weather agent’' }).click();
    await page.waitForURL(`**/ui/profiles/${state.profileId}`);
    await page.goBack();
    await visible(entries());
  });

  it('filters the log on the server and downloads the filtered entries as CSV', async () => {
    await page.getByLabel('What').selectOption({ label: 'Credentials: any' });
    await page.waitForURL(/action=credential\.\*/);
    await page.getByLabel('Who').selectOption({ label: 'An agent without a key' });
    await page.waitForURL(/actor_type=agent/);
    await hasCount(entries().getByRole('listitem'), 1);
    await containsText(entries(), `asked for credential slot ${SLOT}`);
    await checkPageState(page, 'records-08-audit-filtered');

    await page.getByLabel('Who').selectOption({ label: 'Admin' });
    await page.waitForURL(/actor_type=admin/);
    await hasCount(entries().getByRole('listitem'), 3);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^airlock-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const path = await download.path();
    const csv = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'at,summary,action,actor_type,actor_id,client_ip,target_type,target_id,detail',
    );
    expect(lines.slice(1).map((l) => l.split(',')[2])).toEqual([
      'credential.delete',
      'credential.create',
      'credential.create',
    ]);
    expect(csv).toContain('Admin deleted credential OLD_KEY (deleted)');
    expect(csv).not.toContain(SECRET);
    expect(csv).not.toContain('old-value-99');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => u.search === '');
    await visible(entry(`Admin installed ${PKG}==1.0.0 for every profile`));
  });
});
