import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signV2 } from '@airlock/auth';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
export const SPAWNED_PASSWORD = 'correct horse battery staple';

/** A temp directory traversable by the sandbox uids (they must reach `<data>/packages`). */
export function traversableTempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(d, 0o711);
  return d;
}

export interface SpawnedServer {
  url: string;
  /** First host uid of its sandboxes. */
  uidBase: number;
  process: ChildProcess;
  log: () => string;
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  ): Promise<{ status: number; json: any; headers: Headers }>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
  /** Open fds, resident memory (KiB) and live child processes of the server process. */
  resources(): { fds: number; rssKiB: number; children: number };
}

/**
 * The real server from sources, as its own process (for tests that kill it, fill its disk or
 * lock its database). Resolves once it listens.
 */
export async function spawnServer(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<SpawnedServer> {
  const port = 10_000 + Math.floor(Math.random() * 20_000);
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  // Host uids of its own (a server claims its range machine-wide and refuses an overlap): a
  // random 128-uid block far from the fixed ranges, the installer uid at its end.
  const block = 1_000_000 + Math.floor(Math.random() * 100_000) * 128;
  const child = spawn(process.execPath, ['--conditions=@airlock/source', '--import', 'tsx', MAIN], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      AIRLOCK_DATA_DIR: dataDir,
      AIRLOCK_PORT: String(port),
      AIRLOCK_HOST: '127.0.0.1',
      AIRLOCK_ADMIN_PASSWORD: SPAWNED_PASSWORD,
      AIRLOCK_SANDBOX_UID_BASE: String(block),
      AIRLOCK_SANDBOX_INSTALLER_UID: String(block + 127),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      log += d.toString();
      if (log.includes('airlock listening')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${log}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url,
    uidBase: Number(env.AIRLOCK_SANDBOX_UID_BASE ?? block),
    process: child,
    log: () => log,
    async api(method, path, body, headers = {}) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = text;
      }
      // biome-ignore lint/suspicious/noExplicitAny: tests read bodies loosely
      return { status: res.status, json: json as any, headers: res.headers };
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
    resources() {
      const pid = child.pid as number;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      return {
        fds: readdirSync(`/proc/${pid}/fd`).length,
        rssKiB: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0),
        children: children === '' ? 0 : children.split(' ').length,
      };
    },
  };
}

/** Logs in, creates credentials with values and a locked profile; returns an execute helper. */
export async function lockedProfileOn(
  server: SpawnedServer,
  values: Record<string, string>,
  options: { network?: unknown; delivery?: Record<string, unknown> } = {},
) {
  const token = (await server.api('POST', '/api/admin/login', { password: SPAWNED_PASSWORD })).json
    .token as string;
  const admin = { authorization: `Bearer ${token}` };
  for (const [name, value] of Object.entries(values)) {
    const delivery = options.delivery?.[name];
    const r = await server.api(
      'POST',
      '/api/admin/credentials',
      { name, value, ...(delivery === undefined ? {} : { delivery }) },
      admin,
    );
    if (r.status !== 201) throw new Error(`credential ${name}: ${r.status}`);
  }
  const profile = (await server.api('POST', '/profiles', {})).json.id as string;
  await server.api('POST', `/profiles/${profile}/credentials`, {
    credentials: Object.keys(values),
  });
  if (options.network !== undefined) {
    const r = await server.api('PUT', `/profiles/${profile}/network`, options.network);
    if (r.status !== 200) throw new Error(`network policy: ${r.status} ${JSON.stringify(r.json)}`);
  }
  const locked = await server.api(
    'POST',
    `/api/admin/profiles/${profile}/lock`,
    { credentials: Object.keys(values) },
    admin,
  );
  if (locked.status !== 200)
    throw new Error(`lock: ${locked.status} ${JSON.stringify(locked.json)}`);
  const key = locked.json.key as string;
  const [keyId, secret] = key.split(':') as [string, string];
  return {
    token,
    admin,
    profile,
    keyId,
    secret,
    async execute(script: string, timeout?: number) {
      const s = signV2(secret, script);
      return server.api(
        'POST',
        '/execute',
        { script, hash: s.hash, ...(timeout === undefined ? {} : { timeout }) },
        { authorization: `Bearer ${keyId}`, ...s.headers },
      );
    },
    async waitDone(id: string) {
      for (let first = true; ; first = false) {
        const r = await server.api('GET', `/executions/${id}${first ? '' : '?wait=30'}`);
        if (['completed', 'error', 'timeout'].includes(r.json.status)) return r.json;
      }
    },
  };
}

/**
 * Resolves once the server's warm pool is full (its sandboxes started and waiting): counts of
 * its sandbox processes are stable from then until a run claims one.
 */
export async function warmPoolFull(server: SpawnedServer): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const pool = (await server.api('GET', '/health')).json?.sandbox?.warm_pool;
    if (pool && pool.ready === pool.size) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the warm pool did not fill');
}
