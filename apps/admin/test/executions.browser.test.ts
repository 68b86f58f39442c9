import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentExecute,
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
 * The profile page along a profile's life and the executions an agent's runs leave, in real
 * Chromium against the real server (real sandbox, real Python): attach two credentials at once,
 * lock, the key in its dialog; then runs that complete, fail, wait for the LLM (answered, or
 * stopped from the UI and shown as cancelled) and try the network (one allowed host, one
 * denied). Every state goes through checkPageState (both widths, axe, screenshots).
 */

const PASSWORD = 'correct horse battery staple';
const TOKEN_VALUE = `tok-${'7'.repeat(24)}`;

let server: RunningServer;
let browser: Browser;
let page: Page;
let web: Server;
let webPort = 0;
let adminToken = '';
const pageErrors: string[] = [];
const state = { profileId: '', key: '' };

const url = (path: string) => `${server.base}${path}`;

async function admin(method: string, path: string, body?: unknown) {
  const r = await fetch(url(path), {
    method,
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await r.json()) as Record<string, unknown>;
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

/** POST /execute as an agent: Bearer key id, v2 signature. Returns the execution id. */
async function execute(script: string): Promise<string> {
  const r = await agentExecute(server.base, state.key, script);
  expect(r.status).toBe(202);
  return String(r.body.execution_id);
}

/** Long-polls an execution (the agent's view) until its status is one of `until`. */
async function pollUntil(id: string, until: string[]): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const r = (await (await fetch(url(`/executions/${id}?wait=5`))).json()) as Record<
      string,
      unknown
    >;
    if (until.includes(String(r.status))) return r;
    if (Date.now() > deadline) throw new Error(`execution ${id} still ${String(r.status)}`);
  }
}

const statusBadge = () => page.locator('.status-line .badge');

async function statusBecomes(re: RegExp): Promise<void> {
  await expect.poll(async () => statusBadge().textContent(), { timeout: 30_000 }).toMatch(re);
}

/** The text of a summary fact, by its label. */
const fact = (label: string) =>
  page.locator('.run-facts div').filter({ has: page.getByText(label, { exact: true }) });

beforeAll(async () => {
  web = createServer((req, res) => res.end(`hello from ${req.url}`));
  web.listen(0, '127.0.0.1');
  await once(web, 'listening');
  webPort = (web.address() as { port: number }).port;
  server = await startServer();
  const { code } = await readSetupCode(server.base, server.dataDir);
  const setup = await fetch(url('/api/admin/setup'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ setup_code: code, password: PASSWORD }),
  });
  expect(setup.status).toBe(201);
  adminToken = ((await setup.json()) as { token: string }).token;
  browser = await launchBrowser(server.base);
  await browser.context.addCookies([
    { name: 'airlock_session', value: adminToken, url: server.base, httpOnly: true },
  ]);
  page = browser.page;
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text()))
      pageErrors.push(`console: ${m.text()}`);
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  web?.close();
});

describe('the profile page along its lifecycle', () => {
  it('attach several credentials at once, allow one host, lock; the key shows once in a dialog', async () => {
    await admin('POST', '/api/admin/credentials', { name: 'API_TOKEN', value: TOKEN_VALUE });
    await admin('POST', '/api/admin/credentials', { name: 'DB_PASSWORD', value: 'pw-0123456789' });
    await admin('POST', '/api/admin/credentials', { name: 'SPARE_SLOT' });
    const created = await admin('POST', '/api/admin/profiles', { description: 'Report runner' });
    state.profileId = String(created.id);

    await page.goto(url(`/ui/profiles/${state.profileId}`));
    const steps = page.getByRole('navigation', { name: 'Profile steps' });
    await containsText(steps.locator('[aria-current="step"]'), 'Choose what it reaches');
    await checkPageState(page, 'profile-01-new');

    const attach = page.getByRole('group', { name: 'Attach credentials' });
    await attach.getByRole('checkbox', { name: /API_TOKEN/ }).check();
    await attach.getByRole('checkbox', { name: /DB_PASSWORD/ }).check();
    await attach.getByRole('button', { name: 'Attach 2 credentials' }).click();
    await visible(page.getByRole('button', { name: 'Detach API_TOKEN' }));
    await visible(page.getByRole('button', { name: 'Detach DB_PASSWORD' }));
    await visible(page.getByText('Attached API_TOKEN, DB_PASSWORD.'));
    await hasCount(attach.getByRole('checkbox'), 1);

    await page.getByLabel('Mode').selectOption('allowlist');
    await page.getByLabel(/Hosts, one per line/).fill(`127.0.0.1:${webPort}`);
    await page.getByRole('button', { name: 'Save network policy' }).click();
    await visible(page.getByRole('list', { name: 'Hosts the key reaches' }));
    await containsText(steps.locator('[aria-current="step"]'), 'Lock and issue the key');
    await checkPageState(page, 'profile-02-attached');

    await page.getByRole('button', { name: 'Lock and issue key…' }).click();
    await page.getByRole('button', { name: 'Lock and show key' }).click();
    const dialog = page.getByRole('dialog', { name: 'The profile key' });
    await visible(dialog);
    const keyField = dialog.getByLabel(/Key \(give this to your agent/);
    state.key = await keyField.inputValue();
    expect(state.key).toMatch(/^ark_[a-z0-9]{24}:[A-Za-z0-9]{48}$/);
    // Focus is in the dialog, on the key.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('profile-key');
    await dialog.getByRole('button', { name: 'Copy as export AIRLOCK_KEY=…' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      `export AIRLOCK_KEY=${state.key}`,
    );
    await dialog.getByRole('button', { name: 'Copy key' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(state.key);
    await checkPageState(page, 'profile-03-key-dialog');

    await page.keyboard.press('Escape');
    await hasCount(dialog, 0);
    // The lock button that opened it is gone: focus goes on to the next step.
    expect(await page.evaluate(() => document.activeElement?.textContent ?? '')).toContain(
      'Give it to the agent',
    );
    expect(await page.content()).not.toContain(state.key.split(':')[1]);
    await containsText(steps.locator('[aria-current="step"]'), 'Give it to the agent');
    await checkPageState(page, 'profile-04-locked');
  });

  it('the agent snippet, pasted as is, answers a script that waits for the LLM', async () => {
    const snippet = (await page.getByTestId('agent-snippet').textContent()) ?? '';
    const asking = snippet.replace(
      /^script = .*$/m,
      `script = 'set_result(llm.complete("Say yes"))'`,
    );
    expect(asking).not.toBe(snippet);
    const run = spawnSync('/usr/bin/python3', ['-c', asking], {
      env: { AIRLOCK_KEY: state.key, PATH: process.env.PATH ?? '/usr/bin' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    // The snippet's answer_llm returns "...", which becomes the result.
    expect(run.stdout.trim()).toMatch(/^completed \.\.\. {2}None$/);
  });
});

describe('executions you can read', () => {
  const ids = { ok: '', failed: '', answered: '', stopped: '', network: '' };

  it('the list: first lines, relative times, runs waiting for the LLM highlighted, new runs appear live', async () => {
    ids.ok = await execute('# greet the user\nprint("hello")\nset_result({"ok": True})');
    ids.failed = await execute('values = {}\nraise ValueError("bad input: " + str(values))');
    await pollUntil(ids.ok, ['completed']);
    await pollUntil(ids.failed, ['error']);
    ids.answered = await execute(
      'answer = llm.complete("Say yes", model="small")\nset_result(answer)',
    );
    await pollUntil(ids.answered, ['awaiting_llm']);

    await page.goto(url('/ui/executions'));
    const row = (id: string) => page.getByRole('row').filter({ hasText: id });
    await containsText(row(ids.ok), '# greet the user');
    await containsText(row(ids.failed), 'values = {}');
    await containsText(row(ids.failed), 'ValueError: bad input');
    await containsText(row(ids.answered), 'awaiting LLM');
    expect(await row(ids.answered).getAttribute('class')).toContain('row-awaiting');
    expect(await row(ids.ok).getAttribute('class')).not.toContain('row-awaiting');
    const when = row(ids.ok).locator('time');
    expect(await when.textContent()).toMatch(/^(just now|\d+ s ago|\d+ min( \d+ s)? ago)$/);
    expect(await when.getAttribute('title')).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    await checkPageState(page, 'executions-01-list');

    // A run started now appears without a reload.
    ids.stopped = await execute('import time\nanswer = llm.complete("Wait for me")\nprint(answer)');
    await visible(row(ids.stopped));
    await expect.poll(() => row(ids.stopped).getAttribute('class')).toContain('row-new');

    // A click on the row (not on its link) opens the run.
    await row(ids.ok).locator('td').nth(2).click();
    await page.waitForURL(`**/ui/executions/${ids.ok}`);
  });

  it('a completed run: summary header, sections that open and close, copy buttons', async () => {
    await statusBecomes(/completed/);
    await visible(page.getByRole('heading', { level: 1, name: '# greet the user' }));
    await containsText(fact('Run time'), 'limit 30 s');
    await hasCount(fact('Waited for the LLM'), 0);
    const output = page.getByRole('region', { name: 'Standard output' });
    await containsText(output, 'hello');
    await hasCount(page.getByRole('region', { name: 'Standard error' }), 0);
    await hasCount(page.getByRole('region', { name: 'Error' }), 0);
    await hasCount(page.getByRole('region', { name: 'Network connections' }), 0);
    await output.getByRole('button', { name: 'Copy output' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('hello\n');
    await page
      .getByRole('region', { name: 'Script' })
      .getByRole('button', { name: 'Copy script' })
      .click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('# greet the user');
    await visible(
      page.getByRole('region', { name: 'Result' }).getByRole('button', { name: 'Copy result' }),
    );
    // Its heading closes a section.
    await output.getByRole('heading', { name: 'Standard output' }).click();
    expect(await output.locator('details').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(
      false,
    );
    await checkPageState(page, 'executions-02-completed');
  });

  it('a failed run: the error styled as one', async () => {
    await page.goto(url(`/ui/executions/${ids.failed}`));
    await statusBecomes(/^error$/);
    const error = page.getByRole('region', { name: 'Error' });
    await containsText(error, 'ValueError: bad input');
    expect(await error.getAttribute('class')).toContain('run-part-error');
    await checkPageState(page, 'executions-03-error');
  });

  it('a run waiting for the LLM, then answered: the wait is shown, labelled', async () => {
    await page.goto(url(`/ui/executions/${ids.answered}`));
    await statusBecomes(/awaiting LLM/);
    await containsText(page.getByRole('region', { name: 'LLM exchanges' }), 'Say yes');
    await containsText(
      page.getByRole('region', { name: 'LLM exchanges' }),
      'Waiting for the agent’s answer',
    );
    await containsText(fact('Waited for the LLM'), 'not counted in run time');
    await checkPageState(page, 'executions-04-awaiting-llm');

    const answered = await fetch(url(`/executions/${ids.answered}/respond`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response: 'yes' }),
    });
    expect(answered.status).toBe(200);
    await statusBecomes(/completed/);
    const llm = page.getByRole('region', { name: 'LLM exchanges' });
    await containsText(llm, 'yes');
    expect(await llm.textContent()).not.toContain('Waiting for the agent');
    await containsText(fact('Waited for the LLM'), '1 question');
    await containsText(page.getByRole('region', { name: 'Result' }), '"yes"');
    await checkPageState(page, 'executions-05-answered');
  });

  it('a run stopped from the UI while it waits is cancelled, not failed, and waits no more', async () => {
    await page.goto(url(`/ui/executions/${ids.stopped}`));
    await statusBecomes(/awaiting LLM/);
    await page.getByRole('button', { name: 'Stop execution…' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Stop this execution?' });
    await visible(ask.getByRole('button', { name: 'Keep running' }));
    await checkPageState(page, 'executions-06-stop-confirm');
    await ask.getByRole('button', { name: 'Stop execution' }).click();
    await statusBecomes(/cancelled/);
    await visible(page.getByText('Execution stopped.'));
    await containsText(page.locator('.run-cancelled'), 'Cancelled by the admin.');
    await hasCount(page.getByRole('region', { name: 'Error' }), 0);
    const llm = page.getByRole('region', { name: 'LLM exchanges' });
    await containsText(llm, 'No answer: the run ended before the agent answered.');
    expect(await llm.textContent()).not.toContain('Waiting for the agent');
    await checkPageState(page, 'executions-07-cancelled');

    await page.goto(url('/ui/executions'));
    const row = page.getByRole('row').filter({ hasText: ids.stopped });
    await containsText(row.locator('.badge'), 'cancelled');
    expect(await row.getAttribute('class')).not.toContain('row-awaiting');
  });

  it('a run that used the network: its connection log as a table, the denial with its reason', async () => {
    ids.network = await execute(
      [
        'import urllib.request, urllib.error',
        'out = {}',
        `out["allowed"] = urllib.request.urlopen("http://127.0.0.1:${webPort}/hello", timeout=10).read().decode()`,
        'try:',
        '    urllib.request.urlopen("http://api.not-listed.test/", timeout=10)',
        '    out["denied"] = "reached"',
        'except urllib.error.HTTPError as e:',
        '    out["denied"] = e.code',
        'set_result(out)',
      ].join('\n'),
    );
    const done = await pollUntil(ids.network, ['completed', 'error', 'timeout']);
    expect(done.result).toEqual({ allowed: 'hello from /hello', denied: 403 });
    await page.goto(url(`/ui/executions/${ids.network}`));
    await statusBecomes(/completed/);
    const log = page.getByRole('region', { name: 'Network connections' });
    await containsText(log, '2 attempts, 1 denied');
    const allowed = log.getByRole('row').filter({ hasText: `127.0.0.1:${webPort}` });
    await containsText(allowed, 'allowed');
    await containsText(allowed, 'B /');
    const denied = log.getByRole('row').filter({ hasText: 'api.not-listed.test:80' });
    await containsText(denied, 'denied');
    await containsText(denied, 'host is not in the allowlist');
    await checkPageState(page, 'executions-08-network');
  });

  it('the profile page lists its runs in the shared table', async () => {
    await page.goto(url(`/ui/profiles/${state.profileId}`));
    const runs = page.getByRole('region', { name: 'Runs of this profile' });
    for (const id of Object.values(ids))
      await visible(runs.getByRole('row').filter({ hasText: id }));
    await containsText(
      page.getByRole('navigation', { name: 'Profile steps' }).locator('.lifecycle-done').last(),
      'Runs',
    );
    await page.locator('summary', { hasText: 'Danger zone' }).click();
    await visible(page.getByRole('button', { name: 'Revoke…' }));
    await checkPageState(page, 'profile-05-runs-and-danger-zone');
  });

  it('no script errors or CSP violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
