import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { signApiRequest, signV2 } from '@airlock/auth';
import { processesOf } from '@airlock/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  lockedProfileOn,
  SPAWNED_PASSWORD,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
  warmPoolFull,
} from '../test/spawn-server.js';

/**
 * API trust (issue 12), tried against the spawned server (`pnpm start`'s composition) as an
 * anonymous client, a key-id holder and a key-secret holder would.
 */
const root = traversableTempDir('airlock-trust-');
let server: SpawnedServer;
let p: Awaited<ReturnType<typeof lockedProfileOn>>;

beforeAll(async () => {
  server = await spawnServer(join(root, 'data'), {
    AIRLOCK_TRUST_PROXY: 'true',
    AIRLOCK_MAX_BODY_BYTES: String(4 * 1024 * 1024),
  });
  p = await lockedProfileOn(server, { TRUST_TOKEN: 'trust-secret-value-0001' });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A request signed with the key secret, as an agent sends it. */
function signedHeaders(method: string, target: string, body = '') {
  return {
    authorization: `Bearer ${p.keyId}`,
    ...signApiRequest(p.secret, { method, target, body }).headers,
  };
}

describe('a key id is not a credential', () => {
  it('a bare key id can neither list executions nor install packages', async () => {
    const run = await p.execute('print("private output", settings["TRUST_TOKEN"])');
    await p.waitDone(run.json.execution_id);
    const listed = await server.api('GET', '/executions', undefined, {
      authorization: `Bearer ${p.keyId}`,
    });
    expect(listed.status).toBe(401);
    expect(listed.json.detail).toMatch(/^Missing request signature/);
    expect(JSON.stringify(listed.json)).not.toContain(run.json.execution_id);
    const install = await server.api(
      'POST',
      '/requirements',
      { packages: ['six'] },
      {
        authorization: `Bearer ${p.keyId}`,
      },
    );
    expect(install.status).toBe(401);
    // The key id really is public.
    const profiles = await server.api('GET', '/profiles');
    expect(JSON.stringify(profiles.json)).toContain(p.keyId);
  });

  it('a signed request lists them; the same signature again is refused', async () => {
    const headers = signedHeaders('GET', '/executions?limit=5');
    const listed = await fetch(`${server.url}/executions?limit=5`, { headers });
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { executions: { status: string }[] };
    expect(body.executions.length).toBeGreaterThan(0);
    const again = await fetch(`${server.url}/executions?limit=5`, { headers });
    expect(again.status).toBe(403);
    expect(((await again.json()) as { detail: string }).detail).toMatch(/already used/);
    // Signed for another query, or stale: refused.
    const other = await fetch(`${server.url}/executions?limit=6`, {
      headers: signedHeaders('GET', '/executions?limit=5'),
    });
    expect(other.status).toBe(403);
    const stale = await fetch(`${server.url}/executions`, {
      headers: {
        authorization: `Bearer ${p.keyId}`,
        ...signApiRequest(
          p.secret,
          { method: 'GET', target: '/executions', body: '' },
          { timestamp: Math.floor(Date.now() / 1000) - 301 },
        ).headers,
      },
    });
    expect(stale.status).toBe(403);
  });
});

describe('domain separation', () => {
  it('a captured v2 request replayed as version 1 does not run', async () => {
    const script = 'print("run once")';
    const v2 = signV2(p.secret, script);
    const replayed = `AIRLOCK/2 EXECUTE\n${v2.timestamp}\n${v2.nonce}\n${script}`;
    const r = await server.api(
      'POST',
      '/execute',
      { script: replayed, hash: v2.hash },
      { authorization: `Bearer ${p.keyId}` },
    );
    expect(r.status).toBe(403);
    expect(r.json.detail).toMatch(/may not start with "AIRLOCK\/"/);
    // The v2 request itself runs.
    const ok = await server.api(
      'POST',
      '/execute',
      { script, hash: v2.hash },
      { authorization: `Bearer ${p.keyId}`, ...v2.headers },
    );
    expect(ok.status).toBe(202);
  });
});

describe('password throttling', () => {
  it('concurrent wrong passwords: at most 5 are checked, the rest get 429 before any hashing', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.7, 127.0.0.41' };
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        server.api('POST', '/api/admin/login', { password: 'wrong password 123' }, headers),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(35);
    expect(answers.find((a) => a.status === 429)?.headers.get('retry-after')).toMatch(/^\d+$/);
  }, 60_000);

  it('keys on the address the trusted proxy saw, not the entry a client controls', async () => {
    // The client varies the leftmost entry; the proxy's own (last) entry stays the same.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await server.api(
        'POST',
        '/api/admin/login',
        { password: 'wrong password 123' },
        {
          'x-forwarded-for': `198.51.100.${i}, 127.0.0.42`,
        },
      );
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    // Another client of the proxy is not locked out.
    const other = await server.api(
      'POST',
      '/api/admin/login',
      { password: SPAWNED_PASSWORD },
      { 'x-forwarded-for': '127.0.0.43' },
    );
    expect(other.status).toBe(200);
  }, 60_000);

  it('changing the password is throttled too', async () => {
    const headers = { ...p.admin, 'x-forwarded-for': '127.0.0.44' };
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await server.api(
        'POST',
        '/api/admin/password',
        { current_password: `not it ${i} 123456`, new_password: 'another long password 1' },
        headers,
      );
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  }, 60_000);
});

describe('lock and regenerate take what the admin saw', () => {
  it('a credential attached after the admin looked is refused, not handed to the key', async () => {
    const admin = p.admin;
    for (const name of ['SHOWN_ONE', 'PRODUCTION_DB']) {
      await server.api(
        'POST',
        '/api/admin/credentials',
        { name, value: `${name}-value-x1` },
        admin,
      );
    }
    const profile = (await server.api('POST', '/profiles', {})).json.id as string;
    await server.api('POST', `/profiles/${profile}/credentials`, { credentials: ['SHOWN_ONE'] });
    // The admin's dialog lists SHOWN_ONE; meanwhile an agent attaches PRODUCTION_DB.
    await server.api('POST', `/profiles/${profile}/credentials`, {
      credentials: ['PRODUCTION_DB'],
    });
    const lock = await server.api(
      'POST',
      `/api/admin/profiles/${profile}/lock`,
      { credentials: ['SHOWN_ONE'] },
      admin,
    );
    expect(lock.status).toBe(409);
    expect(lock.json.detail).toContain('PRODUCTION_DB, SHOWN_ONE');
    expect(lock.json.key).toBeUndefined();
    expect((await server.api('GET', `/profiles/${profile}`)).json.locked).toBe(false);
    const missing = await server.api('POST', `/api/admin/profiles/${profile}/lock`, {}, admin);
    expect(missing.status).toBe(422);
    const ok = await server.api(
      'POST',
      `/api/admin/profiles/${profile}/lock`,
      { credentials: ['PRODUCTION_DB', 'SHOWN_ONE'] },
      admin,
    );
    expect(ok.status).toBe(200);
    const regen = await server.api(
      'POST',
      `/api/admin/profiles/${profile}/regenerate-key`,
      { credentials: ['SHOWN_ONE'] },
      admin,
    );
    expect(regen.status).toBe(409);
  });
});

describe('admin answers match the earlier implementation', () => {
  it('flat stats, 204 deletions, revoking twice and changing a revoked profile are 409', async () => {
    const admin = p.admin;
    const stats = (await server.api('GET', '/api/admin/stats', undefined, admin)).json;
    expect(stats.total_executions).toBe(stats.executions.total);
    expect(stats.stored_credentials).toBe(stats.credentials.with_value);
    expect(stats.active_profiles).toBeGreaterThanOrEqual(1);
    await server.api(
      'POST',
      '/api/admin/credentials',
      { name: 'TO_DELETE', value: 'x-1234567' },
      admin,
    );
    const del = await fetch(`${server.url}/api/admin/credentials/TO_DELETE`, {
      method: 'DELETE',
      headers: admin,
    });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    const other = await lockedProfileOn(server, { SHORT_LIVED: 'short-lived-value-1' });
    const revoked = `/api/admin/profiles/${other.profile}/revoke`;
    expect((await server.api('POST', revoked, undefined, admin)).status).toBe(200);
    const twice = await server.api('POST', revoked, undefined, admin);
    expect(twice.status).toBe(409);
    expect(twice.json.detail).toBe(`Profile '${other.profile}' is already revoked`);
    const put = await server.api(
      'PUT',
      `/api/admin/profiles/${other.profile}`,
      { description: 'after revocation' },
      admin,
    );
    expect(put.status).toBe(409);
    expect(put.json.detail).toBe(`Profile '${other.profile}' is revoked`);
    const gone = await fetch(`${server.url}/api/admin/profiles/${other.profile}`, {
      method: 'DELETE',
      headers: admin,
    });
    expect(gone.status).toBe(204);
  });

  it('say who made each credential and profile: the agent through its endpoints, else the admin', async () => {
    const asked = await server.api('POST', '/credentials', {
      credentials: [{ name: 'AGENT_ASKED', description: 'for the report' }],
    });
    expect(asked.status).toBe(201);
    const creds = (await server.api('GET', '/api/admin/credentials', undefined, p.admin)).json
      .credentials as { name: string; created_by: string }[];
    expect(creds.find((c) => c.name === 'AGENT_ASKED')?.created_by).toBe('agent');
    expect(creds.find((c) => c.name === 'TRUST_TOKEN')?.created_by).toBe('admin');
    // lockedProfileOn creates its profile through the agent endpoint.
    const profile = await server.api('GET', `/api/admin/profiles/${p.profile}`, undefined, p.admin);
    expect(profile.json.created_by).toBe('agent');
  });
});

describe('bad input gets a clear answer', () => {
  it('an answer larger than the script can receive is a 413 and the run keeps waiting', async () => {
    const r = await p.execute('a = llm.complete("q?")\nprint(len(a))');
    const id = r.json.execution_id as string;
    for (let i = 0; i < 50; i++) {
      if ((await server.api('GET', `/executions/${id}`)).json.status === 'awaiting_llm') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    // 1,000,000 characters of three UTF-8 bytes each: within the body limit, not the channel's.
    const big = await server.api('POST', `/executions/${id}/respond`, {
      response: '\u20ac'.repeat(1_000_000),
    });
    expect(big.status).toBe(413);
    expect(big.json.detail).toMatch(/larger than the 1048576 bytes a script can receive/);
    expect((await server.api('GET', `/executions/${id}`)).json.status).toBe('awaiting_llm');
    expect((await server.api('POST', `/executions/${id}/respond`, { response: 'ok' })).status).toBe(
      200,
    );
    expect((await p.waitDone(id)).stdout).toBe('2\n');
  }, 60_000);

  it('credentials named __proto__ and constructor are given to the script and counted', async () => {
    // JSON.parse: in an object literal, `__proto__:` would set the prototype, not a key.
    const q = await lockedProfileOn(
      server,
      JSON.parse(
        '{"__proto__": "proto-named-value-0001", "constructor": "constructor-named-value-01"}',
      ),
    );
    const r = await q.execute(
      'print(sorted(settings.keys()))\nprint(settings["__proto__"], settings["constructor"])',
    );
    const done = await q.waitDone(r.json.execution_id);
    expect(done.stdout).toBe(
      "['__proto__', 'constructor']\n[REDACTED:__proto__] [REDACTED:constructor]\n",
    );
    const detail = await server.api(
      'GET',
      `/api/admin/executions/${r.json.execution_id}`,
      undefined,
      q.admin,
    );
    expect(JSON.stringify(detail.json.redaction_counts)).toBe('{"__proto__":1,"constructor":1}');
  }, 60_000);
});

/** A raw request with a chosen Host header (fetch does not let one set it). */
function withHost(path: string, host: string): Promise<number> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('DNS rebinding', () => {
  it('a page under another host name is refused; loopback names and /health are served', async () => {
    const port = new URL(server.url).port;
    expect(await withHost('/profiles', 'attacker.example')).toBe(421);
    expect(await withHost('/skill.md', `rebind.attacker.example:${port}`)).toBe(421);
    expect(await withHost('/profiles', `localhost:${port}`)).toBe(200);
    expect(await withHost('/profiles', `127.0.0.1:${port}`)).toBe(200);
    expect(await withHost('/health', 'attacker.example')).toBe(200);
  });
});

describe('slow clients', () => {
  it('half-sent requests from one client neither exhaust the server nor stop /health', async () => {
    const s = await spawnServer(join(root, 'slow'), {
      AIRLOCK_MAX_CONNECTIONS_PER_CLIENT: '32',
    });
    const url = new URL(s.url);
    const before = s.resources().fds;
    const sockets: Socket[] = [];
    try {
      // 1000 connections from one address (127.0.0.2), each stopping in the middle of its headers.
      await Promise.all(
        Array.from(
          { length: 1000 },
          () =>
            new Promise<void>((resolve) => {
              const sock = connect({
                host: url.hostname,
                port: Number(url.port),
                localAddress: '127.0.0.2',
              });
              sockets.push(sock);
              sock.on('error', () => resolve());
              sock.on('close', () => resolve());
              sock.on('connect', () => {
                sock.write('GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
                resolve();
              });
            }),
        ),
      );
      await new Promise((r) => setTimeout(r, 300));
      const held = sockets.filter((x) => !x.destroyed && x.readyState === 'open').length;
      expect(held).toBeLessThanOrEqual(1000);
      expect(s.resources().fds - before).toBeLessThan(100);
      const t0 = Date.now();
      const health = await fetch(`${s.url}/health`);
      expect(health.status).toBe(200);
      expect(Date.now() - t0).toBeLessThan(2000);
      // The server ends the half-sent ones itself (headers within 10 s).
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && s.resources().fds - before > 10) {
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(s.resources().fds - before).toBeLessThanOrEqual(10);
    } finally {
      for (const x of sockets) x.destroy();
      await s.stop();
    }
  }, 60_000);
});

describe('shutdown', () => {
  it('SIGTERM ends the runs and records why, leaves no sandbox, then closes the database', async () => {
    const dir = join(root, 'shutdown');
    const env = { AIRLOCK_CONCURRENCY: '1' };
    const s = await spawnServer(dir, env);
    const base = s.uidBase;
    const q = await lockedProfileOn(s, { SHUTDOWN_KEY: 'shutdown-value-0001' });
    // Busy, not asleep: a sleeping run would give its slot up (ADR 0089).
    const running = (await q.execute('print("started", flush=True)\nwhile True: pass')).json
      .execution_id as string;
    const queued = (await q.execute('print("never")')).json.execution_id as string;
    for (let i = 0; i < 50; i++) {
      if ((await s.api('GET', `/executions/${running}`)).json.status === 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const exit = new Promise<number | null>((r) => s.process.once('exit', (code) => r(code)));
    const t0 = Date.now();
    s.process.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(s.log()).toContain('"msg":"stopped"');
    expect(s.log()).not.toMatch(/database connection is not open|bookkeeping failed|withheld/);
    const uids = Array.from({ length: 64 }, (_, i) => base + i);
    expect(processesOf(uids)).toEqual([]);
    const again = await spawnServer(dir, env);
    try {
      for (const id of [running, queued]) {
        const r = (await again.api('GET', `/executions/${id}`)).json;
        expect(r.status).toBe('error');
        expect(r.error).toBe('interrupted: the server shut down before the execution finished');
      }
    } finally {
      await again.stop();
    }
  }, 60_000);
});

/** A JSON POST from a chosen loopback address (each address is a separate client). */
function postFrom(
  base: string,
  localAddress: string,
  path: string,
  body: unknown,
): Promise<{ status: number; json: { detail?: string }; retryAfter: string | undefined }> {
  const url = new URL(base);
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        let data = '';
        res.on('data', (d) => {
          data += d;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: data ? JSON.parse(data) : {},
            retryAfter: res.headers['retry-after'] as string | undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

describe('anonymous growth', () => {
  it('slots and profiles are bounded in count and anonymous changes in rate per client', async () => {
    const s = await spawnServer(join(root, 'growth'), {
      AIRLOCK_MAX_CREDENTIALS: '50',
      AIRLOCK_MAX_UNLOCKED_PROFILES: '10',
    });
    try {
      const slots = (n: number, from: number) => ({
        credentials: Array.from({ length: n }, (_, i) => ({ name: `SLOT_${from + i}` })),
      });
      const a = '127.0.0.50';
      expect((await postFrom(s.url, a, '/credentials', slots(40, 0))).status).toBe(201);
      const over = await postFrom(s.url, a, '/credentials', slots(20, 40));
      expect(over.status).toBe(409);
      expect(over.json.detail).toMatch(/at most 50 credentials/);
      // All or nothing: none of the 20 was created.
      expect((await s.api('GET', '/credentials')).json.credentials).toHaveLength(40);
      for (let i = 0; i < 10; i++) {
        expect((await postFrom(s.url, a, '/profiles', {})).status).toBe(201);
      }
      const eleventh = await postFrom(s.url, a, '/profiles', {});
      expect(eleventh.status).toBe(409);
      expect(eleventh.json.detail).toMatch(/10 unlocked profiles/);
      // 13 requests so far; the 61st in the window is refused by rate, before any count.
      const statuses: number[] = [];
      for (let i = 0; i < 48; i++)
        statuses.push((await postFrom(s.url, a, '/profiles', {})).status);
      expect(statuses.slice(0, 47).every((x) => x === 409)).toBe(true);
      expect(statuses[47]).toBe(429);
      const limited = await postFrom(s.url, a, '/credentials', slots(1, 99));
      expect(limited.status).toBe(429);
      expect(limited.retryAfter).toMatch(/^\d+$/);
      // Another client is not held back by the first one's rate.
      const b = await postFrom(s.url, '127.0.0.51', '/credentials', slots(1, 100));
      expect(b.status).toBe(201);
    } finally {
      await s.stop();
    }
  }, 60_000);

  it('/skill.md stays small whatever the database holds', async () => {
    const admin = p.admin;
    for (let i = 0; i < 40; i++) {
      await server.api('POST', '/api/admin/profiles', { description: `bulk profile ${i}` }, admin);
    }
    for (let i = 0; i < 60; i++) {
      await server.api('POST', '/api/admin/credentials', { name: `BULK_SLOT_${i}` }, admin);
    }
    const t0 = performance.now();
    const res = await fetch(`${server.url}/skill.md`);
    const md = await res.text();
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(Buffer.byteLength(md)).toBeLessThan(64 * 1024);
    expect(md).toMatch(/\d+ more profiles are not listed here/);
    expect(md).toMatch(/… and \d+ more \(`GET \/credentials`\)/);
    // Usable (locked) profiles come first.
    expect(md.indexOf(p.keyId)).toBeGreaterThan(0);
  }, 60_000);
});

describe('information the server gives away', () => {
  it('no source maps, no server paths in the public status', async () => {
    const dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Airlock admin</title>');
    writeFileSync(join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(dist, 'assets', 'index-abc.js.map'), '{"sources":["../src/main.tsx"]}');
    // No preset password: first-visit setup is pending, as on a fresh install.
    const s = await spawnServer(join(root, 'fresh'), {
      AIRLOCK_ADMIN_PASSWORD: '',
      AIRLOCK_ADMIN_DIST: dist,
    });
    try {
      expect((await fetch(`${s.url}/assets/index-abc.js`)).status).toBe(200);
      const map = await fetch(`${s.url}/assets/index-abc.js.map`);
      expect(map.status).toBe(404);
      expect(await map.text()).not.toContain('main.tsx');
      const status = await s.api('GET', '/api/admin/status');
      expect(status.json).toEqual({ setup_required: true, setup_code_file: 'private/setup-code' });
      expect(JSON.stringify(status.json)).not.toContain(root);
    } finally {
      await s.stop();
    }
  }, 60_000);
});

describe('a key that no longer holds stops its runs', () => {
  const statusOf = async (id: string) => (await server.api('GET', `/executions/${id}`)).json;
  const until = async (id: string, want: string) => {
    for (let i = 0; i < 100; i++) {
      if ((await statusOf(id)).status === want) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${id} never reached ${want}`);
  };

  it('revoking cancels the running, the paused and the queued executions, with the reason', async () => {
    const q = await lockedProfileOn(server, { REVOKED_MID_RUN: 'revoked-mid-run-value-1' });
    // The paused run holds no slot; two busy runs take both; the last one stays queued (a
    // sleeping run would give its slot up).
    const paused = (await q.execute('print(llm.complete("hold"))')).json.execution_id as string;
    await until(paused, 'awaiting_llm');
    const sleeper = 'print("started", flush=True)\nwhile True: pass';
    const running = (await q.execute(sleeper)).json.execution_id as string;
    const running2 = (await q.execute(sleeper)).json.execution_id as string;
    await until(running, 'running');
    await until(running2, 'running');
    const queued = (await q.execute('print("never")')).json.execution_id as string;
    expect((await statusOf(queued)).status).toBe('pending');
    const revoke = await server.api(
      'POST',
      `/api/admin/profiles/${q.profile}/revoke`,
      undefined,
      q.admin,
    );
    expect(revoke.status).toBe(200);
    for (const id of [running, running2, paused]) {
      const done = await q.waitDone(id);
      expect(done.status).toBe('error');
      expect(done.error).toBe('cancelled: the profile was revoked');
    }
    const never = await q.waitDone(queued);
    expect(never.error).toBe('cancelled: the profile was revoked before it started');
    expect(never.stdout).toBe('');
    // The paused one can no longer be resumed.
    const late = await server.api('POST', `/executions/${paused}/respond`, { response: 'go' });
    expect(late.status).toBe(409);
  }, 60_000);

  it('regenerating the key cancels what the old key started', async () => {
    const q = await lockedProfileOn(server, { REGEN_MID_RUN: 'regenerated-mid-run-value' });
    const running = (await q.execute('import time\ntime.sleep(60)')).json.execution_id as string;
    await until(running, 'running');
    const regen = await server.api(
      'POST',
      `/api/admin/profiles/${q.profile}/regenerate-key`,
      { credentials: ['REGEN_MID_RUN'] },
      q.admin,
    );
    expect(regen.status).toBe(200);
    const done = await q.waitDone(running);
    expect(done.error).toBe('cancelled: the profile key was regenerated');
  }, 60_000);
});

describe('one server per data directory and per uid range', () => {
  it('a second server on the same data directory or uids refuses to start and kills nothing', async () => {
    const dir = join(root, 'owned');
    const first = await spawnServer(dir);
    const base = first.uidBase;
    try {
      const q = await lockedProfileOn(first, { OWNED_KEY: 'owned-value-000001' });
      const running = (await q.execute('import time\nprint("alive", flush=True)\ntime.sleep(30)'))
        .json.execution_id as string;
      for (let i = 0; i < 50; i++) {
        if ((await first.api('GET', `/executions/${running}`)).json.status === 'running') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const uids = Array.from({ length: 16 }, (_, i) => base + i);
      // `running` is set when the backend is spawned; the script's interpreter comes a moment
      // later, once the backend has set up: count once it is there (the script starts nothing).
      const interpreter = () => processesOf(uids).some((p) => p.name.startsWith('python'));
      for (let i = 0; i < 50 && !interpreter(); i++) await new Promise((r) => setTimeout(r, 100));
      // The pool refilled what the run took: nothing starts or ends from here on.
      await warmPoolFull(first);
      const before = processesOf(uids).length;
      expect(before).toBeGreaterThan(0);
      // Same data directory (another uid range): refused before the database is opened.
      await expect(
        spawnServer(dir, { AIRLOCK_SANDBOX_UID_BASE: String(base + 1000) }),
      ).rejects.toThrow(/another Airlock \(pid \d+\) is using the data directory/);
      // Another data directory, an overlapping uid range: refused before any process is killed.
      await expect(
        spawnServer(join(root, 'owned-2'), {
          AIRLOCK_SANDBOX_UID_BASE: String(base + 8),
          AIRLOCK_SANDBOX_INSTALLER_UID: String(base + 5000),
        }),
      ).rejects.toThrow(/overlap those of another process/);
      expect(processesOf(uids).length).toBe(before);
      expect((await first.api('GET', `/executions/${running}`)).json.status).toBe('running');
    } finally {
      await first.stop();
    }
    // Once the first has stopped, its claims are gone: the directory can be used again.
    const again = await spawnServer(dir, { AIRLOCK_SANDBOX_UID_BASE: String(base) });
    await again.stop();
  }, 90_000);
});

describe('waiting runs hold no slot', () => {
  it('20 scripts are not queued behind two paused in llm.complete', async () => {
    const s = await spawnServer(join(root, 'waiting'), { AIRLOCK_CONCURRENCY: '2' });
    try {
      const q = await lockedProfileOn(s, { WAITING_KEY: 'waiting-value-00001' });
      const paused = await Promise.all(
        [1, 2].map(
          async (i) =>
            (await q.execute(`print(llm.complete("hold ${i}"))`)).json.execution_id as string,
        ),
      );
      for (const id of paused) {
        for (let i = 0; i < 100; i++) {
          if ((await s.api('GET', `/executions/${id}`)).json.status === 'awaiting_llm') break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      expect((await s.api('GET', '/health')).json.queue).toMatchObject({ running: 0, waiting: 2 });
      const t0 = Date.now();
      const ids = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const r = await q.execute(`import time\ntime.sleep(0.5)\nset_result(${i})`);
          expect(r.status).toBe(202);
          return r.json.execution_id as string;
        }),
      );
      const done = await Promise.all(ids.map((id) => q.waitDone(id)));
      expect(done.map((d) => d.status)).toEqual(Array(20).fill('completed'));
      // 20 × 0.5 s on two slots; without the fix they waited for the LLM answers (5 min).
      expect(Date.now() - t0).toBeLessThan(30_000);
      for (const id of paused) {
        expect((await s.api('GET', `/executions/${id}`)).json.status).toBe('awaiting_llm');
      }
    } finally {
      await s.stop();
    }
  }, 90_000);
});
