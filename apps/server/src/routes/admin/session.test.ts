import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext, TEST_PASSWORD } from '../../test/harness.js';

let ctx = createTestContext();
afterEach(() => {
  ctx.close();
  ctx = createTestContext();
});

describe('first-visit setup', () => {
  it('reports setup as required until claimed, with where to find the code', async () => {
    const r = await ctx.call('GET', '/api/admin/status');
    expect(r.json).toEqual({
      setup_required: true,
      setup_code_file: 'private/setup-code',
    });
    await ctx.adminToken();
    expect((await ctx.call('GET', '/api/admin/status')).json).toEqual({
      setup_required: false,
      setup_code_file: null,
    });
  });

  it('refuses setup without a code or with a wrong one, and creates no admin', async () => {
    const none = await ctx.call('POST', '/api/admin/setup', { body: { password: TEST_PASSWORD } });
    expect(none.status).toBe(422);
    const wrong = await ctx.call('POST', '/api/admin/setup', {
      body: { setup_code: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG', password: TEST_PASSWORD },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.json.detail).toBe('Invalid setup code');
    expect((await ctx.call('GET', '/api/admin/status')).json.setup_required).toBe(true);
  });

  it('refuses a weak password with a clear message and keeps the code usable', async () => {
    const r = await ctx.call('POST', '/api/admin/setup', {
      body: { setup_code: ctx.setupCode, password: 'short' },
    });
    expect(r.status).toBe(422);
    expect(String(r.json.detail)).toMatch(/at least 12/);
    expect(
      (
        await ctx.call('POST', '/api/admin/setup', {
          body: { setup_code: ctx.setupCode, password: TEST_PASSWORD },
        })
      ).status,
    ).toBe(201);
  });

  it('lets exactly one of several concurrent claims win', async () => {
    const claims = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        ctx.call('POST', '/api/admin/setup', {
          body: { setup_code: ctx.setupCode, password: `${TEST_PASSWORD} ${i}` },
        }),
      ),
    );
    const statuses = claims.map((c) => c.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 201).every((s) => s === 409 || s === 403)).toBe(true);
  });

  it('makes the code unusable once used', async () => {
    await ctx.adminToken();
    const again = await ctx.call('POST', '/api/admin/setup', {
      body: { setup_code: ctx.setupCode, password: `${TEST_PASSWORD}!` },
    });
    expect(again.status).toBe(409);
    // The original password still works, the second one does not.
    expect(
      (await ctx.call('POST', '/api/admin/login', { body: { password: TEST_PASSWORD } })).status,
    ).toBe(200);
  });

  it('sets an HttpOnly SameSite=Strict session cookie that authenticates', async () => {
    const r = await ctx.call('POST', '/api/admin/setup', {
      body: { setup_code: ctx.setupCode, password: TEST_PASSWORD },
    });
    const cookie = r.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/airlock_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const pair = cookie.split(';')[0] as string;
    const me = await ctx.call('GET', '/api/admin/session', { headers: { cookie: pair } });
    expect(me.status).toBe(200);
  });
});

describe('login', () => {
  it('logs in with the right password and refuses a wrong one with the contract message', async () => {
    await ctx.adminToken();
    const ok = await ctx.call('POST', '/api/admin/login', { body: { password: TEST_PASSWORD } });
    expect(ok.status).toBe(200);
    expect(ok.json.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const bad = await ctx.call('POST', '/api/admin/login', {
      body: { password: 'wrong password here' },
    });
    expect(bad.status).toBe(401);
    expect(bad.json.detail).toBe('Invalid password');
  });

  it('throttles a brute force with 429 and Retry-After, even for the right password', async () => {
    await ctx.adminToken();
    for (let i = 0; i < 5; i++) {
      expect(
        (await ctx.call('POST', '/api/admin/login', { body: { password: `guess number ${i}` } }))
          .status,
      ).toBe(401);
    }
    const limited = await ctx.call('POST', '/api/admin/login', {
      body: { password: TEST_PASSWORD },
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    ctx.clock.advance(5 * 60_000 + 1000);
    expect(
      (await ctx.call('POST', '/api/admin/login', { body: { password: TEST_PASSWORD } })).status,
    ).toBe(200);
  });

  it('records logins and failures in the audit log without the password', async () => {
    const token = await ctx.adminToken();
    await ctx.call('POST', '/api/admin/login', { body: { password: 'not the password!' } });
    const audit = await ctx.call('GET', '/api/admin/audit', { token });
    const actions = audit.json.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['admin.setup', 'admin.login_failed']));
    expect(audit.text).not.toContain('not the password!');
    expect(audit.text).not.toContain(TEST_PASSWORD);
  });
});

describe('sessions', () => {
  it('expire after the idle limit', async () => {
    const token = await ctx.adminToken();
    expect((await ctx.call('GET', '/api/admin/session', { token })).status).toBe(200);
    ctx.clock.advance(12 * 3600_000 + 1000);
    const r = await ctx.call('GET', '/api/admin/session', { token });
    expect(r.status).toBe(401);
    expect(r.json.detail).toMatch(/log in again/);
  });

  it('expire at the absolute limit even when active', async () => {
    const token = await ctx.adminToken();
    for (let h = 0; h < 7 * 24; h += 6) {
      ctx.clock.advance(6 * 3600_000);
      const r = await ctx.call('GET', '/api/admin/session', { token });
      if (h + 6 >= 7 * 24) expect(r.status).toBe(401);
      else expect(r.status).toBe(200);
    }
  });

  it('die at logout', async () => {
    const token = await ctx.adminToken();
    expect((await ctx.call('POST', '/api/admin/logout', { token })).status).toBe(200);
    expect((await ctx.call('GET', '/api/admin/session', { token })).status).toBe(401);
  });

  it('all die at a password change; the new token works', async () => {
    const token = await ctx.adminToken();
    const other = (
      await ctx.call('POST', '/api/admin/login', { body: { password: TEST_PASSWORD } })
    ).json.token;
    const wrong = await ctx.call('POST', '/api/admin/password', {
      token,
      body: { current_password: 'not it at all', new_password: 'another long passphrase' },
    });
    expect(wrong.status).toBe(403);
    const r = await ctx.call('POST', '/api/admin/password', {
      token,
      body: { current_password: TEST_PASSWORD, new_password: 'another long passphrase' },
    });
    expect(r.status).toBe(200);
    expect((await ctx.call('GET', '/api/admin/session', { token })).status).toBe(401);
    expect((await ctx.call('GET', '/api/admin/session', { token: other })).status).toBe(401);
    expect((await ctx.call('GET', '/api/admin/session', { token: r.json.token })).status).toBe(200);
    expect(
      (await ctx.call('POST', '/api/admin/login', { body: { password: TEST_PASSWORD } })).status,
    ).toBe(401);
  });
});

describe('cross-site requests', () => {
  async function cookie(): Promise<string> {
    const r = await ctx.call('POST', '/api/admin/setup', {
      body: { setup_code: ctx.setupCode, password: TEST_PASSWORD },
    });
    return (r.headers.get('set-cookie') ?? '').split(';')[0] as string;
  }

  it('rejects a cross-site POST carrying the session cookie', async () => {
    const c = await cookie();
    const cross = await ctx.call('POST', '/api/admin/profiles', {
      body: {},
      headers: { cookie: c, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    });
    expect(cross.status).toBe(403);
    const viaOrigin = await ctx.call('POST', '/api/admin/profiles', {
      body: {},
      headers: { cookie: c, origin: 'https://evil.example', host: 'localhost:9090' },
    });
    expect(viaOrigin.status).toBe(403);
    expect(
      (await ctx.call('GET', '/api/admin/profiles', { token: undefined, headers: { cookie: c } }))
        .json.profiles,
    ).toEqual([]);
  });

  it('accepts a same-origin POST with the cookie', async () => {
    const c = await cookie();
    const r = await ctx.call('POST', '/api/admin/profiles', {
      body: {},
      headers: {
        cookie: c,
        'sec-fetch-site': 'same-origin',
        origin: 'http://localhost:9090',
        host: 'localhost:9090',
      },
    });
    expect(r.status).toBe(201);
  });
});
