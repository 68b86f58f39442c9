/**
 * Starts a real Airlock server as a child process with its own data directory, for benchmarks
 * that measure it from the outside, and sets up a locked profile to execute with. It runs what
 * `pnpm start` runs, the built `apps/server/dist/main.js` (`pnpm bench` builds it first): a
 * server under a TypeScript loader is slower and larger than the one users run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signV2 } from '@airlock/auth';

const MAIN = fileURLToPath(new URL('../../apps/server/dist/main.js', import.meta.url));
const PASSWORD = 'benchmark admin password';

export interface BenchServer {
  url: string;
  pid: number;
  key: { keyId: string; secret: string };
  adminToken: string;
  /** Resident memory of the server process, MiB. */
  rssMiB(): number;
  /** Resident memory of every process under the server's sandbox uids (the warm pool), MiB. */
  sandboxRssMiB(): number;
  execute(script: string): Promise<{ execution_id: string; status: number }>;
  /** `POST /execute?wait=N`: one round trip when the run ends within the wait. */
  executeWait(
    script: string,
    seconds: number,
  ): Promise<{ execution_id: string; status: number; body: { status: string } }>;
  waitDone(id: string): Promise<{ status: string; [k: string]: unknown }>;
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<BenchServer> {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run \`pnpm build\` (pnpm bench does)`);
  const root = mkdtempSync(join(tmpdir(), 'airlock-bench-'));
  chmodSync(root, 0o711);
  const port = 9600 + Math.floor(Math.random() * 300);
  const url = `http://127.0.0.1:${port}`;
  const uids = ownUids();
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      // Host uids of its own: a server claims its range machine-wide, and test runs overlap.
      ...uids,
      AIRLOCK_DATA_DIR: join(root, 'data'),
      AIRLOCK_PORT: String(port),
      AIRLOCK_HOST: '127.0.0.1',
      AIRLOCK_ADMIN_PASSWORD: PASSWORD,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('airlock listening')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${log}`)));
  });
  const api = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const adminToken = (await api('POST', '/api/admin/login', { password: PASSWORD })).json
    .token as string;
  const admin = { authorization: `Bearer ${adminToken}` };
  await api(
    'POST',
    '/api/admin/credentials',
    { name: 'BENCH_TOKEN', value: 'bench-secret-value-0123' },
    admin,
  );
  const profile = (await api('POST', '/profiles', {})).json.id as string;
  await api('POST', `/profiles/${profile}/credentials`, { credentials: ['BENCH_TOKEN'] });
  const full = (
    await api(
      'POST',
      `/api/admin/profiles/${profile}/lock`,
      { credentials: ['BENCH_TOKEN'] },
      admin,
    )
  ).json.key as string;
  const [keyId, secret] = full.split(':') as [string, string];
  return {
    url,
    pid: child.pid as number,
    key: { keyId, secret },
    adminToken,
    rssMiB() {
      return rssOf(child.pid as number);
    },
    sandboxRssMiB() {
      const first = Number(uids.AIRLOCK_SANDBOX_UID_BASE);
      let total = 0;
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const uid = statSync(`/proc/${entry}`).uid;
          if (uid >= first && uid < first + 128) total += rssOf(Number(entry));
        } catch {
          // exited meanwhile
        }
      }
      return total;
    },
    async execute(script) {
      const s = signV2(secret, script);
      const r = await api(
        'POST',
        '/execute',
        { script, hash: s.hash },
        { authorization: `Bearer ${keyId}`, ...s.headers },
      );
      return { execution_id: r.json.execution_id as string, status: r.status };
    },
    async executeWait(script, seconds) {
      const s = signV2(secret, script);
      const r = await api(
        'POST',
        `/execute?wait=${seconds}`,
        { script, hash: s.hash },
        { authorization: `Bearer ${keyId}`, ...s.headers },
      );
      return {
        execution_id: r.json.execution_id as string,
        status: r.status,
        body: r.json as { status: string },
      };
    },
    async waitDone(id) {
      for (let first = true; ; first = false) {
        const r = await api('GET', `/executions/${id}${first ? '' : '?wait=30'}`);
        if (['completed', 'error', 'timeout'].includes(r.json.status as string))
          return r.json as { status: string };
      }
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Resident memory of one process, MiB (0 once it is gone). */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** A random 128-uid block for the sandboxes and, at its end, the installer. */
function ownUids(): Record<string, string> {
  const block = 1_000_000 + Math.floor(Math.random() * 100_000) * 128;
  return {
    AIRLOCK_SANDBOX_UID_BASE: String(block),
    AIRLOCK_SANDBOX_INSTALLER_UID: String(block + 127),
  };
}
