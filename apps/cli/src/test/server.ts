import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A REAL Airlock server (from sources, its own process, real sandbox) for the CLI's end-to-end
 * tests, on a free port in 9500-9599 (ours by convention), with its admin password preset.
 */
export const CLI_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const SERVER_MAIN = fileURLToPath(new URL('../../../server/src/main.ts', import.meta.url));
export const PASSWORD = 'correct horse battery staple';

export interface ApiAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  json: any;
}

export interface TestServer {
  base: string;
  /** A temp directory the sandbox uids can traverse (data dir, scripts, wheels live in it). */
  root: string;
  api(method: string, path: string, body?: unknown, token?: string): Promise<ApiAnswer>;
  /** An admin session token. */
  admin(): Promise<string>;
  stop(): void;
}

/** A free port in 9500-9599: probe random ones by binding briefly. */
async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 9500 + Math.floor(Math.random() * 100);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 9500-9599');
}

/** A random 128-uid block for the sandboxes and, at its end, the installer. */
function ownUids(): Record<string, string> {
  const block = 1_000_000 + Math.floor(Math.random() * 100_000) * 128;
  return {
    AIRLOCK_SANDBOX_UID_BASE: String(block),
    AIRLOCK_SANDBOX_INSTALLER_UID: String(block + 127),
  };
}

/**
 * Starts the server; resolves once it listens. `env`, given the root before the server starts
 * (to put there files the configuration names), adds to and may override the defaults.
 */
export async function startTestServer(
  prefix: string,
  options: { env?: (root: string) => Record<string, string> } = {},
): Promise<TestServer> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  // The sandbox uid must traverse the temp dir to reach the data dir's installed packages.
  chmodSync(root, 0o711);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@airlock/source', '--import', 'tsx', SERVER_MAIN],
    {
      cwd: CLI_DIR,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        // Host uids of its own: a server claims its range machine-wide, and test runs overlap.
        ...ownUids(),
        AIRLOCK_DATA_DIR: join(root, 'data'),
        AIRLOCK_PORT: String(port),
        AIRLOCK_HOST: '127.0.0.1',
        AIRLOCK_ADMIN_PASSWORD: PASSWORD,
        ...options.env?.(root),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const onData = (d: Buffer) => {
      log += d.toString();
      if (log.includes('airlock listening')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${log}`)));
  });

  const api = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  let token: string | undefined;
  return {
    base,
    root,
    api,
    async admin() {
      if (token === undefined) {
        const login = await api('POST', '/api/admin/login', { password: PASSWORD });
        if (login.status !== 200) throw new Error(`admin login: ${JSON.stringify(login.json)}`);
        token = login.json.token as string;
      }
      return token;
    },
    stop() {
      child.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
  };
}
