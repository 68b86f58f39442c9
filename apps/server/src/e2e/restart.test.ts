import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signV2 } from '@airlock/auth';
import { processesOf } from '@airlock/sandbox';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `kill -9` of the real server process while executions run, wait in the queue and await the
 * LLM: no sandbox process survives it, and at the next start every one of them is `error` with
 * the interruption as its reason; nothing runs again; /health is fine.
 */
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const PASSWORD = 'correct horse battery staple';
const root = mkdtempSync(join(tmpdir(), 'airlock-restart-'));
chmodSync(root, 0o711);
// Its own uid range, so sandboxes of tests running alongside are never counted or killed.
const UID_BASE = 78_000;
const port = 9400 + Math.floor(Math.random() * 400);
const base = `http://127.0.0.1:${port}`;
let server: ChildProcess | undefined;

function start(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--conditions=@airlock/source', '--import', 'tsx', MAIN], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      AIRLOCK_DATA_DIR: join(root, 'data'),
      AIRLOCK_PORT: String(port),
      AIRLOCK_HOST: '127.0.0.1',
      AIRLOCK_ADMIN_PASSWORD: PASSWORD,
      AIRLOCK_CONCURRENCY: '2',
      AIRLOCK_SANDBOX_UID_BASE: String(UID_BASE),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (d: Buffer) => {
      log += d.toString();
      if (log.includes('airlock listening')) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${log}`)));
  });
}

async function api(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

afterAll(() => {
  server?.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describe('kill -9 of the server', () => {
  it('leaves no sandbox process, and every unfinished execution is interrupted at restart', async () => {
    server = await start();
    const token = (await api('POST', '/api/admin/login', { password: PASSWORD })).json
      .token as string;
    const auth = { authorization: `Bearer ${token}` };
    await api('POST', '/api/admin/credentials', { name: 'K', value: 'restart-secret-value' }, auth);
    const profile = (await api('POST', '/profiles', {})).json;
    await api('POST', `/profiles/${profile.id}/credentials`, { credentials: ['K'] });
    const locked = await api('POST', `/api/admin/profiles/${profile.id}/lock`, undefined, auth);
    expect(locked.status, JSON.stringify(locked.json)).toBe(200);
    const key = locked.json.key as string;
    const [keyId, secret] = key.split(':') as [string, string];
    const submit = async (script: string) => {
      const s = signV2(secret, script);
      return (
        await api(
          'POST',
          '/execute',
          { script, hash: s.hash },
          { authorization: `Bearer ${keyId}`, ...s.headers },
        )
      ).json.execution_id as string;
    };
    const llm = await submit("llm.complete('hold on')");
    const sleeper = await submit("import time\nprint('running', flush=True)\ntime.sleep(120)");
    const queued = await submit("print('must never run')");
    for (let i = 0; i < 50; i++) {
      const s = (await api('GET', `/executions/${llm}`)).json.status;
      const t = (await api('GET', `/executions/${sleeper}`)).json.status;
      if (s === 'awaiting_llm' && t === 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await api('GET', `/executions/${llm}`)).json.status).toBe('awaiting_llm');
    expect((await api('GET', `/executions/${sleeper}`)).json.status).toBe('running');
    expect((await api('GET', `/executions/${queued}`)).json.status).toBe('pending');
    const health = (await api('GET', '/health')).json;
    expect(health.queue).toMatchObject({ running: 2, queued: 1 });

    const uids = Array.from({ length: 64 }, (_, i) => UID_BASE + i);
    expect(processesOf(uids).length).toBeGreaterThan(0);
    server.kill('SIGKILL');
    await new Promise((r) => server?.once('exit', r));
    let left = processesOf(uids);
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = processesOf(uids);
    }
    expect(left).toEqual([]);

    server = await start();
    for (const id of [llm, sleeper, queued]) {
      const r = (await api('GET', `/executions/${id}`)).json;
      expect(r.status).toBe('error');
      expect(r.error).toMatch(/interrupted: server restarted/);
    }
    expect((await api('GET', `/executions/${queued}`)).json.stdout).toBe('');
    expect((await api('GET', '/health')).status).toBe(200);
    // Nothing runs again: still no sandbox process a moment later.
    await new Promise((r) => setTimeout(r, 500));
    expect(processesOf(uids)).toEqual([]);
  });
});
