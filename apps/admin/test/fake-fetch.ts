import { vi } from 'vitest';

export interface Call {
  method: string;
  path: string;
  body: unknown;
}

/** `init` is what the client passed to `fetch` (headers, signal). */
type Handler = (call: Call, init: RequestInit | undefined) => Response | Promise<Response>;

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
    return typeof route === 'function' ? route(call, init) : route.clone();
  });
  vi.stubGlobal('fetch', fn);
  return { calls, fn };
}

/** One connection to a fake event stream: what the client sent, and the server's side of it. */
export interface EventConnection {
  lastEventId: string | null;
  signal: AbortSignal | undefined;
  /** Writes raw event-stream text (as one network chunk). */
  send: (text: string) => void;
  /** Writes raw bytes (to cut a UTF-8 character across chunks). */
  sendBytes: (bytes: Uint8Array) => void;
  /** The connection fails mid-stream (the client's read rejects, as on a network drop). */
  drop: () => void;
}

/**
 * A `text/event-stream` route whose connections the test drives chunk by chunk. Aborting the
 * request's signal errors its body, as `fetch` does.
 */
export function eventStream() {
  const connections: EventConnection[] = [];
  const handler: Handler = (_call, init) => {
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
      },
    });
    const fail = (reason: unknown) => {
      try {
        controller?.error(reason);
      } catch {
        // already closed or errored
      }
    };
    const signal = init?.signal ?? undefined;
    signal?.addEventListener('abort', () => fail(signal.reason));
    connections.push({
      lastEventId: new Headers(init?.headers).get('last-event-id'),
      signal,
      send: (text) => controller?.enqueue(new TextEncoder().encode(text)),
      sendBytes: (bytes) => controller?.enqueue(bytes),
      drop: () => fail(new TypeError('network error')),
    });
    return new Response(body, {
      status: 200,
      headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' },
    });
  };
  return { handler, connections };
}

/** An event as the server writes it. */
export const sse = (id: number, event: string, data: unknown) =>
  `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
