import { randomBytes } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import type { ProfileRow } from '../services/profiles/queries.js';

/** What every request carries through the handlers. */
export type AppEnv = {
  Variables: {
    requestId: string;
    clientIp: string | null;
    /** The profile whose key secret signed this request (routes behind `requireSignedRequest`). */
    signedProfile?: ProfileRow;
  };
};

/**
 * Assigns a request id (echoed as `X-Request-Id`, written into error bodies and logs) and the
 * client address: the socket peer, or, when the proxy is trusted, the address that proxy saw (the
 * last `X-Forwarded-For` entry: the ones before it are whatever the client sent).
 */
export function requestContext(options: { trustProxy: boolean }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = nextRequestId();
    c.set('requestId', requestId);
    c.set('clientIp', clientAddress(c, options.trustProxy));
    c.header('X-Request-Id', requestId);
    await next();
  };
}

/** Random bytes drawn 4 KiB at a time: one draw per request was a measurable part of a GET. */
const idPool = { bytes: Buffer.alloc(0), at: 0 };

/** `req_` and 16 random hex digits. */
function nextRequestId(): string {
  if (idPool.at + 8 > idPool.bytes.length) {
    idPool.bytes = randomBytes(4096);
    idPool.at = 0;
  }
  const id = idPool.bytes.toString('hex', idPool.at, idPool.at + 8);
  idPool.at += 8;
  return `req_${id}`;
}

function clientAddress(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // in-process requests (tests) have no socket
  }
}
