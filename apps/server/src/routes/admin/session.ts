import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { AppDeps } from '../../deps.js';
import { type AdminEnv, assertSameOrigin, SESSION_COOKIE } from '../../http/admin-auth.js';
import { validationHook } from '../../http/validation.js';
import { isoUtc } from '../../lib/time.js';
import { changePassword, login } from '../../services/admin/login.js';
import { deleteSession } from '../../services/admin/sessions.js';
import { claimSetup, isSetupRequired } from '../../services/admin/setup.js';
import { SETUP_CODE_FILE } from '../../services/admin/setup-code.js';
import { recordAudit } from '../../services/audit/record.js';
import { errorResponses, json, jsonBody } from '../schemas.js';

const Password = z.string().min(1).max(1024).openapi({ format: 'password' });
const TokenResponse = z
  .object({ token: z.string(), expires_at: z.string() })
  .openapi('SessionToken');

const status = createRoute({
  method: 'get',
  path: '/status',
  tags: ['admin'],
  summary: 'Whether first-visit setup is still required',
  responses: {
    200: json(
      z.object({
        setup_required: z.boolean(),
        setup_code_file: z.string().nullable().openapi({
          description: 'Where the one-time code also is, relative to the data directory',
        }),
      }),
      'Setup state (public)',
    ),
  },
});

const setup = createRoute({
  method: 'post',
  path: '/setup',
  tags: ['admin'],
  summary: 'Claim first-visit setup with the one-time setup code',
  request: { body: jsonBody(z.object({ setup_code: z.string().max(200), password: Password })) },
  responses: {
    201: json(TokenResponse, 'Admin created and logged in'),
    ...errorResponses(403, 409, 422),
  },
});

const loginRoute = createRoute({
  method: 'post',
  path: '/login',
  tags: ['admin'],
  summary: 'Log in with the admin password',
  request: { body: jsonBody(z.object({ password: Password })) },
  responses: { 200: json(TokenResponse, 'Logged in'), ...errorResponses(401, 409, 422, 429) },
});

const logout = createRoute({
  method: 'post',
  path: '/logout',
  tags: ['admin'],
  summary: 'End the current session',
  responses: {
    200: json(z.object({ ok: z.literal(true) }), 'Logged out'),
    ...errorResponses(401, 403),
  },
});

const session = createRoute({
  method: 'get',
  path: '/session',
  tags: ['admin'],
  summary: 'The current session',
  responses: {
    200: json(z.object({ authenticated: z.literal(true), expires_at: z.string() }), 'Active'),
    ...errorResponses(401),
  },
});

const password = createRoute({
  method: 'post',
  path: '/password',
  tags: ['admin'],
  summary: 'Change the admin password (ends every session, returns a new one)',
  request: { body: jsonBody(z.object({ current_password: Password, new_password: Password })) },
  responses: { 200: json(TokenResponse, 'Password changed'), ...errorResponses(401, 403, 422) },
});

function setSessionCookie(c: Context, token: string, expiresAt: Date, secure: boolean) {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure,
    expires: expiresAt,
  });
}

export function adminSessionRoutes(deps: AppDeps) {
  const secureCookies = (c: Context) =>
    deps.config.publicUrl?.startsWith('https://') === true ||
    new URL(c.req.url).protocol === 'https:';
  const actor = (c: Context<AdminEnv>) => ({
    type: 'admin' as const,
    id: null,
    ip: c.get('clientIp'),
  });

  return new OpenAPIHono<AdminEnv>({ defaultHook: validationHook })
    .openapi(status, (c) =>
      c.json(
        {
          setup_required: isSetupRequired(deps),
          // Relative to the data directory: an anonymous client learns no server path.
          setup_code_file: deps.setupCode.pending ? `private/${SETUP_CODE_FILE}` : null,
        },
        200,
      ),
    )
    .openapi(setup, async (c) => {
      assertSameOrigin(c.req.raw.headers, c.req.url);
      const body = c.req.valid('json');
      const r = await claimSetup(
        deps,
        { setupCode: body.setup_code, password: body.password },
        actor(c),
      );
      setSessionCookie(c, r.token, r.expiresAt, secureCookies(c));
      return c.json({ token: r.token, expires_at: isoUtc(r.expiresAt) }, 201);
    })
    .openapi(loginRoute, async (c) => {
      assertSameOrigin(c.req.raw.headers, c.req.url);
      const r = await login(deps, c.req.valid('json').password, actor(c));
      setSessionCookie(c, r.token, r.expiresAt, secureCookies(c));
      return c.json({ token: r.token, expires_at: isoUtc(r.expiresAt) }, 200);
    })
    .openapi(logout, (c) => {
      deleteSession(deps, c.get('session').id);
      recordAudit(deps, c.get('actor'), 'admin.logout');
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.json({ ok: true as const }, 200);
    })
    .openapi(session, (c) =>
      c.json({ authenticated: true as const, expires_at: isoUtc(c.get('session').expiresAt) }, 200),
    )
    .openapi(password, async (c) => {
      const body = c.req.valid('json');
      const r = await changePassword(
        deps,
        { currentPassword: body.current_password, newPassword: body.new_password },
        c.get('actor'),
      );
      setSessionCookie(c, r.token, r.expiresAt, secureCookies(c));
      return c.json({ token: r.token, expires_at: isoUtc(r.expiresAt) }, 200);
    });
}
