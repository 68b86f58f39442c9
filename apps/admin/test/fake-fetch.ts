import { vi } from 'vitest';

export interface Call {
  method: string;
  path: string;
  body: unknown;
}

type Handler = (call: Call) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

/**
 * Replaces `fetch` for component tests: routes are `"METHOD /path"` (query string ignored);
 * unknown routes answer 404 like the server. Every call is recorded, bodies parsed.
 */
export function fakeFetch(routes: Record<string, Handler | Response>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://airlock.test');
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const call = { method, path: url.pathname, body };
    calls.push(call);
    const route = routes[`${method} ${url.pathname}`];
    if (!route) return json(404, { detail: 'Not Found', code: 'NOT_FOUND' });
    return typeof route === 'function' ? route(call) : route.clone();
  });
  vi.stubGlobal('fetch', fn);
  return { calls, fn };
}
