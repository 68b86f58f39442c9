import type { Context } from 'hono';
import type { Config } from '../config.js';

/**
 * This instance's base URL for links it hands out (`poll_url`, `/skill.md`): the configured
 * public URL, else the request's own origin (with `X-Forwarded-Proto/Host` when the proxy is
 * trusted).
 */
export function baseUrl(c: Context, config: Pick<Config, 'publicUrl' | 'trustProxy'>): string {
  if (config.publicUrl) return config.publicUrl;
  const url = new URL(c.req.url);
  if (config.trustProxy) {
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
    const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim();
    if (proto && /^https?$/.test(proto)) url.protocol = `${proto}:`;
    if (host && /^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) url.host = host;
  }
  return url.origin;
}
