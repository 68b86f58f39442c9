import type { Context, MiddlewareHandler } from 'hono';
import type { ProfileRow } from '../services/profiles/queries.js';
import {
  authenticateSignedRequest,
  type SignedApiCall,
} from '../services/profiles/signed-request.js';
import type { AppEnv } from './context.js';

/**
 * What a signed API request carries, read from the request: the path and query as received
 * (a proxy in front must not rewrite them) and the exact body text.
 */
export async function signedCallOf(c: Context<AppEnv>): Promise<SignedApiCall> {
  const url = new URL(c.req.url);
  return {
    authorization: c.req.header('authorization'),
    method: c.req.method,
    target: `${url.pathname}${url.search}`,
    body: c.req.raw.body ? await c.req.text() : '',
    signature: c.req.header('x-airlock-signature'),
    timestamp: c.req.header('x-airlock-timestamp'),
    nonce: c.req.header('x-airlock-nonce'),
    clientIp: c.get('clientIp'),
  };
}

/**
 * Refuses a `method` request to the path it is mounted on unless it is signed with the key
 * secret (before validation, so nothing about the request is answered to a key-id holder).
 */
export function requireSignedRequest(
  deps: Parameters<typeof authenticateSignedRequest>[0],
  method: string,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === method) {
      c.set('signedProfile', authenticateSignedRequest(deps, await signedCallOf(c)));
    }
    await next();
  };
}

/** The profile `requireSignedRequest` authenticated (its absence is a wiring bug). */
export function signedProfile(c: Context<AppEnv>): ProfileRow {
  const profile = c.get('signedProfile');
  if (!profile) throw new Error('requireSignedRequest is not mounted on this route');
  return profile;
}
