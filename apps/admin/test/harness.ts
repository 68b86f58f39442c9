import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProfileKey, signV2 } from '@airlock/auth';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
export const ADMIN_DIR = resolve(here, '..');
export const ADMIN_DIST = join(ADMIN_DIR, 'dist');
export const SERVER_DIR = resolve(here, '../../server');
export const SCREENSHOTS = join(ADMIN_DIR, 'test-results');
const SERVER_MAIN = join(SERVER_DIR, 'src/main.ts');

/** A free TCP port in 9300-9399 (the range this suite may use), tried in random order. */
export async function freePort(): Promise<number> {
  const ports = Array.from({ length: 100 }, (_, i) => 9300 + i).sort(() => Math.random() - 0.5);
  for (const port of ports) {
    const ok = await new Promise<boolean>((res) => {
      const s = createServer();
      s.once('error', () => res(false));
      s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port in 9300-9399');
}

export interface RunningServer {
  base: string;
  dataDir: string;
  /** Everything the server wrote to stdout/stderr, for failure messages. */
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts the real Airlock server from source with a fresh data directory; `env` adds to (or
 * overrides) its environment, e.g. a local package source.
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  if (!existsSync(join(ADMIN_DIST, 'index.html')))
    throw new Error(
      `${ADMIN_DIST}/index.html is missing: run \`vite build\` first (pnpm test does)`,
    );
  const dataDir = mkdtempSync(join(tmpdir(), 'airlock-admin-e2e-'));
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@airlock/source', '--import', 'tsx', SERVER_MAIN],
    {
      // `--import tsx` resolves from the working directory: the server package has tsx.
      cwd: SERVER_DIR,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? dataDir,
        // Host uids of its own: a server claims its range machine-wide, and test runs overlap.
        ...ownUids(),
        AIRLOCK_DATA_DIR: dataDir,
        AIRLOCK_PORT: String(port),
        AIRLOCK_HOST: '127.0.0.1',
        AIRLOCK_ADMIN_DIST: ADMIN_DIST,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (b: Buffer) => {
    output += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    output += b.toString();
  });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      const r = await fetch(`${base}/health`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer /health within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    base,
    dataDir,
    log: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Reads the one-time setup code from the file `GET /api/admin/status` names (relative to the
 * data directory).
 */
export async function readSetupCode(
  base: string,
  dataDir: string,
): Promise<{ path: string; code: string }> {
  const status = (await (await fetch(`${base}/api/admin/status`)).json()) as {
    setup_code_file: string | null;
  };
  if (!status.setup_code_file) throw new Error('the server reports no setup code file');
  const path = join(dataDir, status.setup_code_file);
  return { path, code: readFileSync(path, 'utf8').trim() };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  downloads: string;
  close: () => Promise<void>;
}

/** Debian's Chromium, headless, with a fresh profile directory; 1280×800 like a laptop. */
export async function launchBrowser(origin: string): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'airlock-admin-chromium-'));
  const downloads = mkdtempSync(join(tmpdir(), 'airlock-admin-downloads-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    downloadsPath: downloads,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    downloads,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
      rmSync(downloads, { recursive: true, force: true });
    },
  };
}

/*
 * Retrying assertions on locators (playwright-core has no test runner, so no `expect(locator)`
 * matchers): each waits up to the timeout for the condition, then fails with vitest's message.
 */
const POLL = { timeout: 10_000, interval: 100 };

export async function visible(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: POLL.timeout });
}

export async function containsText(locator: Locator, text: string | RegExp): Promise<void> {
  const read = () => locator.textContent({ timeout: POLL.timeout }).then((t) => t ?? '');
  if (typeof text === 'string') await expect.poll(read, POLL).toContain(text);
  else await expect.poll(read, POLL).toMatch(text);
}

export async function lacksText(locator: Locator, text: string): Promise<void> {
  await expect
    .poll(() => locator.textContent({ timeout: POLL.timeout }).then((t) => t ?? ''), POLL)
    .not.toContain(text);
}

export async function hasCount(locator: Locator, n: number): Promise<void> {
  await expect.poll(() => locator.count(), POLL).toBe(n);
}

export async function hasValue(locator: Locator, value: string | RegExp): Promise<void> {
  const read = () => locator.inputValue({ timeout: POLL.timeout });
  if (typeof value === 'string') await expect.poll(read, POLL).toBe(value);
  else await expect.poll(read, POLL).toMatch(value);
}

/** A random 128-uid block for the sandboxes and, at its end, the installer. */
function ownUids(): Record<string, string> {
  const block = 1_000_000 + Math.floor(Math.random() * 100_000) * 128;
  return {
    AIRLOCK_SANDBOX_UID_BASE: String(block),
    AIRLOCK_SANDBOX_INSTALLER_UID: String(block + 127),
  };
}

/** POST /execute as an agent does: Bearer key id, a version-2 signature over the script. */
export async function agentExecute(
  base: string,
  fullKey: string,
  script: string,
  timeout = 30,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const key = parseProfileKey(fullKey);
  if (!key.ok) throw new Error(`bad key: ${key.reason}`);
  const s = signV2(key.secret, script);
  const r = await fetch(`${base}/execute`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key.keyId}`,
      'content-type': 'application/json',
      ...s.headers,
    },
    body: JSON.stringify({ script, hash: s.hash, timeout }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}
