import { generateProfileKey, signApiRequest, signV1 } from '@airlock/auth';
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
          ctx.call('POST', `/api/admin/profiles/${id}/regenerate-key`, {
            token: t,
            body: { credentials: ['SUITE_KEY'] },
          }),
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

/**
 * The routes a bare key id must not reach: each needs a request signed with the key secret, and
 * a missing, bad, stale or replayed signature is refused before anything else happens.
 */
const signedRoutes = [
  { method: 'GET', path: '/executions?limit=5', body: '' },
  { method: 'POST', path: '/requirements', body: '{"packages":["nothing-installed-here"]}' },
] as const;

describe('signed routes refuse a missing, bad, stale or replayed signature', () => {
  for (const route of signedRoutes) {
    const send = async (
      ctx: ReturnType<typeof createTestContext>,
      keyId: string,
      headers: Record<string, string>,
    ) =>
      ctx.call(route.method, route.path, {
        headers: {
          authorization: `Bearer ${keyId}`,
          ...(route.body ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(route.body ? { rawBody: route.body } : {}),
      });
    const now = (ctx: ReturnType<typeof createTestContext>) =>
      Math.floor(ctx.clock().getTime() / 1000);
    const sign = (secret: string, ctx: ReturnType<typeof createTestContext>, over = {}) =>
      signApiRequest(
        secret,
        { method: route.method, target: route.path, body: route.body },
        { timestamp: now(ctx), ...over },
      ).headers;

    it(`${route.method} ${route.path}: a bare key id → 401, nothing done`, async () => {
      const ctx = createTestContext();
      const key = await ctx.lockedProfile(await ctx.adminToken(), {
        SUITE_KEY: 'suite-value-1234',
      });
      const r = await send(ctx, key.keyId, {});
      expect(r.status).toBe(401);
      expect(r.json.detail).toMatch(/^Missing request signature/);
      expect(ctx.sqlite.prepare('SELECT count(*) AS n FROM requirements').get()).toEqual({ n: 0 });
      ctx.close();
    });

    it(`${route.method} ${route.path}: wrong secret, other path, other body, stale, replayed → 403`, async () => {
      const ctx = createTestContext();
      const key = await ctx.lockedProfile(await ctx.adminToken(), {
        SUITE_KEY: 'suite-value-1234',
      });
      const bad: [string, Record<string, string>, RegExp][] = [
        ['another secret', sign(generateProfileKey().secret, ctx), /verification failed/],
        [
          'another path',
          signApiRequest(
            key.secret,
            {
              method: route.method,
              target: `${route.path}x`,
              body: route.body,
            },
            { timestamp: now(ctx) },
          ).headers,
          /verification failed/,
        ],
        [
          'another body',
          signApiRequest(
            key.secret,
            {
              method: route.method,
              target: route.path,
              body: `${route.body} `,
            },
            { timestamp: now(ctx) },
          ).headers,
          /verification failed/,
        ],
        ['301 s old', sign(key.secret, ctx, { timestamp: now(ctx) - 301 }), /300 seconds/],
        [
          'an uppercase signature',
          { ...sign(key.secret, ctx), 'X-Airlock-Signature': 'A'.repeat(64) },
          /64 lowercase hex/,
        ],
      ];
      for (const [label, headers, message] of bad) {
        const r = await send(ctx, key.keyId, headers);
        expect(r.status, label).toBe(403);
        expect(r.json.detail, label).toMatch(message);
      }
      const good = sign(key.secret, ctx);
      const first = await send(ctx, key.keyId, good);
      expect(first.status).not.toBe(401);
      expect(first.status).not.toBe(403);
      const replay = await send(ctx, key.keyId, good);
      expect(replay.status).toBe(403);
      expect(replay.json.detail).toMatch(/already used/);
      ctx.close();
    });
  }
});
