import type { AirlockDb } from '@airlock/db';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Clock } from '../lib/time.js';
import { type AdminSession, resolveSession } from '../services/admin/sessions.js';
import type { Actor } from '../services/audit/record.js';
import type { AppEnv } from './context.js';

export const SESSION_COOKIE = 'airlock_session';

export type AdminEnv = AppEnv & { Variables: { session: AdminSession; actor: Actor } };

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Requires an admin session: `Authorization: Bearer <session token>` or the HttpOnly cookie.
 *
 * Cookie-authenticated state changes must come from our own origin: `Sec-Fetch-Site` must be
 * `same-origin` (or `none`, a typed URL), and when only `Origin` is sent it must match the host.
 * Bearer requests carry no ambient credential, so they are not subject to that check.
 */
export function requireAdmin(deps: {
  db: AirlockDb;
  clock: Clock;
  config: Config;
}): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const authorization = c.req.header('authorization');
    const bearer = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
    const cookie = getCookie(c, SESSION_COOKIE);
    const token = bearer ?? cookie;
    if (token === undefined) throw new AppError('UNAUTHORIZED', 'Not authenticated');
    if (bearer === undefined && UNSAFE_METHODS.has(c.req.method))
      assertSameOrigin(c.req.raw.headers, c.req.url);
    const session = resolveSession(deps, token);
    if (!session) throw new AppError('UNAUTHORIZED', 'Session expired or invalid; log in again');
    c.set('session', session);
    c.set('actor', { type: 'admin', id: session.id, ip: c.get('clientIp') });
    await next();
  };
}

/** Throws 403 for a cross-site request (see `requireAdmin`). */
export function assertSameOrigin(headers: Headers, url: string): void {
  const site = headers.get('sec-fetch-site');
  if (site !== null) {
    if (site === 'same-origin' || site === 'none') return;
    throw new AppError('FORBIDDEN', 'Cross-site request refused');
  }
  const origin = headers.get('origin');
  if (origin === null) return; // not a browser-initiated cross-site request (no Origin, no Fetch metadata)
  const host = headers.get('host') ?? new URL(url).host;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new AppError('FORBIDDEN', 'Cross-site request refused');
  }
  if (originHost !== host) throw new AppError('FORBIDDEN', 'Cross-site request refused');
}
