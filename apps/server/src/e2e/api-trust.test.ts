import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { signApiRequest, signV2 } from '@airlock/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  lockedProfileOn,
  SPAWNED_PASSWORD,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
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
    AIRLOCK_SANDBOX_UID_BASE: String(200_000 + Math.floor(Math.random() * 10_000) * 64),
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
