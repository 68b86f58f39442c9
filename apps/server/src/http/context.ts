import { randomBytes } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';

/** What every request carries through the handlers. */
export type AppEnv = {
  Variables: {
    requestId: string;
    clientIp: string | null;
  };
};

/**
 * Assigns a request id (echoed as `X-Request-Id`, written into error bodies and logs) and the
 * client address: the socket peer, or the first `X-Forwarded-For` hop when the proxy is trusted.
 */
export function requestContext(options: { trustProxy: boolean }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = `req_${randomBytes(8).toString('hex')}`;
    c.set('requestId', requestId);
    c.set('clientIp', clientAddress(c, options.trustProxy));
    c.header('X-Request-Id', requestId);
    await next();
  };
}

function clientAddress(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // in-process requests (tests) have no socket
  }
}
