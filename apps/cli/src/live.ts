/**
 * Follows `GET /executions/{id}/events` (Server-Sent Events) and hands `stdout`/`stderr` chunks
 * to the caller as they arrive: `airlock exec` prints a script's output while it runs. Resumes
 * with `Last-Event-ID` when the connection drops; best effort: when it cannot follow to the
 * `end` event, the caller prints the stored output instead.
 */
import type { FetchLike } from './client.js';

export interface LiveHandlers {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** What following achieved: `ended` when the `end` event arrived (all output was handed on). */
export interface LiveResult {
  ended: boolean;
  /** Whether any output was handed on. */
  printed: boolean;
}

interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** Splits an SSE byte stream into events (comments skipped). */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  // A CR at the end of a chunk may be the first half of a CRLF: held for the next chunk.
  let cr = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const raw = cr + decoder.decode(value, { stream: true });
      cr = raw.endsWith('\r') ? '\r' : '';
      buf += raw.slice(0, raw.length - cr.length).replace(/\r\n?/g, '\n');
      for (let cut = buf.indexOf('\n\n'); cut >= 0; cut = buf.indexOf('\n\n')) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        let id: string | undefined;
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line === '' || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') id = value;
          else if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
        if (data.length > 0 || event !== 'message') yield { id, event, data: data.join('\n') };
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** Reconnections tried after a dropped stream before giving up. */
const RECONNECTS = 3;

/**
 * Follows the events of `executionId` until `end`, `signal` aborts, or reconnecting fails.
 *
 * @example
 * const live = await followLive(fetch, 'http://127.0.0.1:9090', id, { stdout: write, stderr: warn }, signal);
 */
export async function followLive(
  fetchImpl: FetchLike,
  baseUrl: string,
  executionId: string,
  handlers: LiveHandlers,
  signal: AbortSignal,
): Promise<LiveResult> {
  let lastId: string | undefined;
  let printed = false;
  for (let attempt = 0; attempt <= RECONNECTS && !signal.aborted; attempt++) {
    let res: Response;
    try {
      res = await fetchImpl(`${baseUrl}/executions/${encodeURIComponent(executionId)}/events`, {
        headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal,
      });
    } catch {
      continue;
    }
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok || !type.includes('text/event-stream') || res.body === null) {
      // An older server without live events, or not known live: the stored output it is.
      await res.body?.cancel().catch(() => {});
      return { ended: false, printed };
    }
    try {
      for await (const e of sseEvents(res.body)) {
        if (e.id !== undefined) lastId = e.id;
        if (e.event === 'end') return { ended: true, printed };
        if (e.event !== 'stdout' && e.event !== 'stderr') continue;
        const text = (JSON.parse(e.data) as { text?: unknown }).text;
        if (typeof text !== 'string' || text === '') continue;
        printed = true;
        handlers[e.event](text);
      }
    } catch {
      // dropped: resume after the last event seen
    }
  }
  return { ended: false, printed };
}
