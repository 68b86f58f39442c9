import { signV1 } from '@airlock/auth';
import { describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/harness.js';

/**
 * The shared profile-key suite: every route that takes `Authorization: Bearer <key id>` answers
 * each kind of bad key with the contract's status and message, before looking at the body, and
 * does nothing.
 */
const routes: {
  method: string;
  path: string;
  body: (script: string, secret: string) => unknown;
}[] = [
  {
    method: 'POST',
    path: '/execute',
    body: (script, secret) => ({ script, hash: signV1(secret, script) }),
  },
  { method: 'GET', path: '/executions', body: () => undefined },
  { method: 'POST', path: '/requirements', body: () => ({ packages: ['nothing-installed-here'] }) },
];

const cases: [string, (keyId: string) => string | undefined, string][] = [
  ['no Authorization header', () => undefined, 'Missing authentication token'],
  ['a non-Bearer scheme', (k) => `Basic ${k}`, 'Missing authentication token'],
  ['a token that is not a profile key', () => 'Bearer sk_live_abc', 'Invalid authentication token'],
  ['a malformed key id', () => 'Bearer ark_TOO-SHORT', 'Invalid profile key'],
  ['an unknown key id', () => 'Bearer ark_zzzzzzzzzzzzzzzzzzzzzzzz', 'Invalid profile key'],
];

describe('every profile-key route refuses bad keys with the contract messages', () => {
  for (const route of routes) {
    for (const [label, header, message] of cases) {
      it(`${route.method} ${route.path} with ${label} → 401 ${message}`, async () => {
        const ctx = createTestContext();
        const token = await ctx.adminToken();
        const key = await ctx.lockedProfile(token, { SUITE_KEY: 'suite-value-1234' });
        const authorization = header(key.keyId);
        const body = route.body("print('x')", key.secret);
        const r = await ctx.call(route.method, route.path, {
          headers: authorization ? { authorization } : {},
          ...(body === undefined ? {} : { body }),
        });
        expect(r.status).toBe(401);
        expect(r.json.detail).toBe(message);
        expect(ctx.sqlite.prepare('SELECT count(*) AS n FROM executions').get()).toEqual({ n: 0 });
        ctx.close();
      });
    }

    for (const [state, change, message] of [
      [
        'revoked',
        (ctx: ReturnType<typeof createTestContext>, t: string, id: string) =>
          ctx.call('POST', `/api/admin/profiles/${id}/revoke`, { token: t }),
        'Profile has been revoked',
      ],
      [
        'expired',
        (ctx: ReturnType<typeof createTestContext>, t: string, id: string) =>
          ctx.call('PUT', `/api/admin/profiles/${id}`, {
            token: t,
            body: { expires_at: '2000-01-01T00:00:00Z' },
          }),
        'Profile has expired',
      ],
      [
        'regenerated (old key)',
        (ctx: ReturnType<typeof createTestContext>, t: string, id: string) =>
          ctx.call('POST', `/api/admin/profiles/${id}/regenerate-key`, { token: t }),
        'Invalid profile key',
      ],
    ] as const) {
      it(`${route.method} ${route.path} with a ${state} key → 401 ${message}`, async () => {
        const ctx = createTestContext();
        const token = await ctx.adminToken();
        const key = await ctx.lockedProfile(token, { SUITE_KEY: 'suite-value-1234' });
        await change(ctx, token, key.profileId);
        const body = route.body("print('x')", key.secret);
        const r = await ctx.call(route.method, route.path, {
          token: key.keyId,
          ...(body === undefined ? {} : { body }),
        });
        expect(r.status).toBe(401);
        expect(r.json.detail).toBe(message);
        ctx.close();
      });
    }
  }
});
