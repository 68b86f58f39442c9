import type { Context } from 'hono';

/**
 * Whether a request can carry a body. GET and HEAD cannot (the Fetch API refuses one, and the
 * Node adapter attaches none): asking `c.req.raw.body` of them would only build a full `Request`
 * object per read request, the largest cost of a cheap GET.
 */
export function mayHaveBody(c: Context): boolean {
  const method = c.req.method;
  return method !== 'GET' && method !== 'HEAD';
}
