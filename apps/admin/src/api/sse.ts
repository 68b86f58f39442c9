/**
 * A small Server-Sent Events client on `fetch` (not `EventSource`): the same code runs in the
 * browser and under a faked `fetch` in tests, it is aborted with an `AbortController`, and it
 * resumes after a dropped connection with `Last-Event-ID`, which is what the execution events
 * endpoint needs for output without loss or duplication.
 */

/** One dispatched event. `id` is the stream's last event id when it was dispatched. */
export interface SseMessage {
  event: string;
  data: string;
  id: string;
}

/**
 * The event-stream format, fed text as it arrives (chunks may end anywhere, also inside a line
 * or between `\r` and `\n`). Follows the WHATWG parsing rules: `:` lines are comments, a blank
 * line dispatches, several `data:` lines join with `\n`, `id` and `retry` persist.
 */
export class SseParser {
  #buffer = '';
  #data: string[] = [];
  #event = '';
  /** The `id:` of the event being read; it counts once that event is complete. */
  #idBuffer = '';
  /** The id of the last complete event (or id-only block): what a reconnect sends. */
  lastEventId = '';
  /** The last valid `retry:` field, in milliseconds. */
  retryMs: number | undefined;

  push(text: string): SseMessage[] {
    this.#buffer += text;
    const out: SseMessage[] = [];
    const eol = /\r\n|\r|\n/g;
    let start = 0;
    for (let m = eol.exec(this.#buffer); m; m = eol.exec(this.#buffer)) {
      // A lone `\r` at the end may be the first half of `\r\n`: wait for the next chunk.
      if (m[0] === '\r' && m.index === this.#buffer.length - 1) break;
      this.#line(this.#buffer.slice(start, m.index), out);
      start = m.index + m[0].length;
    }
    this.#buffer = this.#buffer.slice(start);
    return out;
  }

  /**
   * A new connection: drop a partly received event (its `id:` too, so the server sends that
   * event again), keep the last complete id and the retry time.
   */
  reset(): void {
    this.#buffer = '';
    this.#data = [];
    this.#event = '';
    this.#idBuffer = this.lastEventId;
  }

  #line(line: string, out: SseMessage[]): void {
    if (line === '') {
      this.lastEventId = this.#idBuffer;
      // An event without data is not dispatched (spec), e.g. a block with only `retry:`.
      if (this.#data.length > 0)
        out.push({
          event: this.#event || 'message',
          data: this.#data.join('\n'),
          id: this.lastEventId,
        });
      this.#data = [];
      this.#event = '';
      return;
    }
    if (line.startsWith(':')) return; // a comment, e.g. `: keep-alive`
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#idBuffer = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}

/** The server answered with a status that retrying will not change (e.g. 404). */
export class EventStreamError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'EventStreamError';
    this.status = status;
  }
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

export interface EventStreamOptions {
  signal: AbortSignal;
  /** Each event as it arrives; return `'stop'` to close the stream for good (e.g. on `end`). */
  onMessage: (message: SseMessage) => 'stop' | undefined;
  onConnection?: (state: ConnectionState) => void;
  /** First wait before reconnecting; the server's `retry:` replaces it. */
  retryMs?: number;
  /** The longest wait between attempts while they keep failing. */
  maxRetryMs?: number;
}

const DEFAULT_RETRY_MS = 500;
const DEFAULT_MAX_RETRY_MS = 10_000;

/** Statuses worth another try: the server or a proxy is busy, restarting or timed out. */
const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * Reads `url` as an event stream until `onMessage` says stop or `signal` aborts (then it
 * resolves). A connection that drops or closes early is reopened with `Last-Event-ID` after a
 * wait that doubles while attempts bring no event. Rejects with `EventStreamError` on an answer
 * that is not worth retrying (4xx, not an event stream).
 *
 * @example
 * const ac = new AbortController();
 * void readEventStream('/executions/e1/events', {
 *   signal: ac.signal,
 *   onMessage: (m) => (m.event === 'end' ? 'stop' : undefined),
 * });
 */
export async function readEventStream(url: string, options: EventStreamOptions): Promise<void> {
  const { signal, onMessage, onConnection } = options;
  const parser = new SseParser();
  const maxWait = options.maxRetryMs ?? DEFAULT_MAX_RETRY_MS;
  let failures = 0;
  onConnection?.('connecting');
  for (;;) {
    if (signal.aborted) return;
    let gotEvent = false;
    try {
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      if (parser.lastEventId !== '') headers['Last-Event-ID'] = parser.lastEventId;
      const res = await fetch(url, { headers, credentials: 'same-origin', signal });
      if (!res.ok && !retryable(res.status)) {
        void res.body?.cancel().catch(() => {});
        throw new EventStreamError(res.status, `The server answered ${res.status}`);
      }
      if (res.ok) {
        if (!/^text\/event-stream\b/.test(res.headers.get('content-type') ?? ''))
          throw new EventStreamError(res.status, 'The server did not answer an event stream');
        if (!res.body) throw new EventStreamError(res.status, 'The event stream has no body');
        parser.reset();
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        onConnection?.('open');
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const message of parser.push(decoder.decode(value, { stream: true }))) {
            gotEvent = true;
            failures = 0;
            if (onMessage(message) === 'stop') {
              await reader.cancel().catch(() => {});
              return;
            }
          }
        }
      }
      // Closed (or a retryable status) before the caller was done: reconnect below.
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof EventStreamError) throw err;
      // A network failure or a dropped connection: reconnect below.
    }
    if (!gotEvent) failures += 1;
    const base = parser.retryMs ?? options.retryMs ?? DEFAULT_RETRY_MS;
    const wait = Math.min(base * 2 ** Math.max(0, failures - 1), Math.max(base, maxWait));
    onConnection?.('reconnecting');
    await sleep(wait, signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
