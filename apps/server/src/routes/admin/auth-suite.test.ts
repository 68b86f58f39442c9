import { describe, expect, it } from 'vitest';
import { PUBLIC_ADMIN_PATHS } from '../../app.js';
import { createTestContext } from '../../test/harness.js';
import { fill, listRoutes } from '../../test/routes.js';

/**
 * The shared auth suite: every admin route in the OpenAPI document refuses a request without a
 * session, with a made-up token, with an expired session and with a logged-out session — and
 * refuses it before doing anything (the target objects still exist afterwards).
 */
describe('every admin route requires a live session', async () => {
  const probe = createTestContext();
  const routes = (await listRoutes(probe)).filter(
    (r) => r.template.startsWith('/api/admin/') && !PUBLIC_ADMIN_PATHS.has(r.template),
  );
  probe.close();

  it('covers the admin surface', () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
  });

  const variants: [
    string,
    (ctx: ReturnType<typeof createTestContext>) => Promise<Record<string, string>>,
  ][] = [
    ['no session', async () => ({})],
    ['a made-up token', async () => ({ authorization: `Bearer ${'A'.repeat(43)}` })],
    [
      'a malformed token',
      async () => ({ authorization: 'Bearer not-a-token', cookie: 'airlock_session=%00%ff' }),
    ],
    [
      'an expired session',
      async (ctx) => {
        const token = (
          await ctx.call('POST', '/api/admin/login', {
            body: { password: 'correct horse battery staple' },
          })
        ).json.token as string;
        ctx.clock.advance(13 * 3600_000);
        return { authorization: `Bearer ${token}` };
      },
    ],
    [
      'a logged-out session (cookie)',
      async (ctx) => {
        const login = await ctx.call('POST', '/api/admin/login', {
          body: { password: 'correct horse battery staple' },
        });
        const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
        await ctx.call('POST', '/api/admin/logout', {
          headers: { cookie, 'sec-fetch-site': 'same-origin' },
        });
        return { cookie, 'sec-fetch-site': 'same-origin' };
      },
    ],
  ];

  for (const route of routes) {
    for (const [label, headersFor] of variants) {
      it(`${route.method} ${route.template} with ${label} → 401`, async () => {
        const ctx = createTestContext();
        const token = await ctx.adminToken();
        const { profileId } = await ctx.lockedProfile(token, { SUITE_KEY: 'suite-value-123' });
        const headers = await headersFor(ctx);
        const path = fill(route.template, { id: profileId, name: 'SUITE_KEY' });
        const body =
          route.method === 'GET'
            ? undefined
            : { credentials: ['SUITE_KEY'], passphrase: 'x'.repeat(20) };
        const r = await ctx.call(route.method, path, { headers, ...(body ? { body } : {}) });
        expect(r.status).toBe(401);
        expect(typeof r.json.detail).toBe('string');
        // Nothing happened: the profile is still locked and live, the credential still there.
        const after = await ctx.call('GET', `/profiles/${profileId}`);
        expect(after.json).toMatchObject({ locked: true, revoked: false });
        expect(after.json.credentials.map((c: { name: string }) => c.name)).toEqual(['SUITE_KEY']);
        ctx.close();
      });
    }
  }
});
