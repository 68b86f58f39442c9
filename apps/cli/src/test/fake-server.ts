import type { FetchLike } from '../client.js';

/** A request the fake server received (headers as sent, the JSON body parsed). */
export interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Reply =
  | { status: number; body: unknown; headers?: Record<string, string> }
  /** The connection broke after the request may have been sent. */
  | 'network-error'
  /** The connection was refused: nothing was sent. */
  | 'refused';

/**
 * A scripted server: each route answers from its queue; the last answer repeats. Live events
 * (`GET /executions/{id}/events`) not scripted answer 404 and are not recorded: `airlock exec`
 * then prints the stored output, as against a server without them.
 */
export function fakeServer(routes: Record<string, Reply[]>): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  const fetchImpl: FetchLike = async (input, init) => {
    const url = new URL(input);
    const method = init?.method ?? 'GET';
    const key = `${method} ${url.pathname}`;
    if (!routes[key] && method === 'GET' && url.pathname.endsWith('/events'))
      return new Response('{"detail":"Not Found"}', { status: 404 });
    calls.push({
      method,
      path: url.pathname + url.search,
      headers: { ...(init?.headers as Record<string, string>) },
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const queue = routes[key];
    if (!queue || queue.length === 0) throw new Error(`unexpected ${key}`);
    const reply = queue.length > 1 ? (queue.shift() as Reply) : (queue[0] as Reply);
    if (reply === 'network-error' || reply === 'refused') {
      const code = reply === 'refused' ? 'ECONNREFUSED' : 'ECONNRESET';
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error(`socket ${code}`), { code }),
      });
    }
    // A string body is sent as it is (Markdown, say); anything else as JSON.
    const text = typeof reply.body === 'string';
    return new Response(text ? (reply.body as string) : JSON.stringify(reply.body), {
      status: reply.status,
      headers: { 'content-type': text ? 'text/markdown' : 'application/json', ...reply.headers },
    });
  };
  return { fetch: fetchImpl, calls };
}
