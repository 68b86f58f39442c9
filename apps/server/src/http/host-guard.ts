import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.js';
import type { AppEnv } from './context.js';

export interface HostPolicy {
  /** The address the server listens on (`AIRLOCK_HOST`). */
  bindHost: string;
  /** `AIRLOCK_PUBLIC_URL`, whose host is always served. */
  publicUrl: string | undefined;
  /** `AIRLOCK_ALLOWED_HOSTS`: more host names served; `*` serves any. */
  allowedHosts: readonly string[];
  /** Read the host from `X-Forwarded-Host` (behind a trusted proxy). */
  trustProxy: boolean;
}

const LOOPBACK_BIND = /^(?:127\.\d+\.\d+\.\d+|::1|localhost)$/i;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** The host name of a `Host` header value, lower case, without port or IPv6 brackets. */
export function hostnameOf(header: string): string | null {
  const h = header.trim().toLowerCase();
  const m = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h) ?? /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return m?.[1] ?? null;
}

function isLoopbackName(name: string): boolean {
  return (
    name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127\./.test(name)
  );
}

function isIpLiteral(name: string): boolean {
  return IPV4.test(name) || name.includes(':');
}

/**
 * Refuses requests for a host name Airlock does not serve (421), so a web page cannot drive a
 * local Airlock through DNS rebinding: a rebinding page's requests carry the attacker's name in
 * `Host`. Always served: loopback names, the public URL's host and `AIRLOCK_ALLOWED_HOSTS`; also
 * IP literals unless bound to loopback (a browser sends an IP literal only for a page loaded from
 * that very address). `/health` is exempt (platform health checks send whatever host they like).
 */
export function hostGuard(policy: HostPolicy): MiddlewareHandler<AppEnv> {
  const configured = new Set(policy.allowedHosts.map((h) => h.toLowerCase()));
  if (policy.publicUrl) configured.add(new URL(policy.publicUrl).hostname.replace(/^\[|\]$/g, ''));
  const any = configured.has('*');
  const loopbackOnly = LOOPBACK_BIND.test(policy.bindHost);
  return async (c, next) => {
    if (any || c.req.path === '/health') return next();
    const forwarded = policy.trustProxy ? c.req.header('x-forwarded-host') : undefined;
    // Without a Host header (in-process requests), the request URL's host stands in.
    const header = forwarded?.split(',').at(-1) ?? c.req.header('host') ?? new URL(c.req.url).host;
    const name = hostnameOf(header);
    const served =
      name !== null &&
      (isLoopbackName(name) || configured.has(name) || (!loopbackOnly && isIpLiteral(name)));
    if (!served) {
      throw new AppError(
        'MISDIRECTED',
        `Host '${header.slice(0, 100)}' is not served here: set AIRLOCK_PUBLIC_URL (or AIRLOCK_ALLOWED_HOSTS) to the name clients use`,
      );
    }
    return next();
  };
}
