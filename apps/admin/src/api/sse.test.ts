import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventStream, fakeFetch, json, sse } from '../../test/fake-fetch';
import { EventStreamError, readEventStream, type SseMessage, SseParser } from './sse';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Feeds `chunks` one by one and collects what was dispatched. */
function parse(chunks: string[]): SseMessage[] {
  const p = new SseParser();
  return chunks.flatMap((c) => p.push(c));
}

describe('SseParser', () => {
  it('dispatches on a blank line, whatever the chunk boundaries', () => {
    const text = `${sse(1, 'stdout', { text: 'a\n' })}: keep-alive\n\n${sse(2, 'end', { status: 'completed' })}`;
    const whole = parse([text]);
    expect(whole).toEqual([
      { event: 'stdout', data: '{"text":"a\\n"}', id: '1' },
      { event: 'end', data: '{"status":"completed"}', id: '2' },
    ]);
    // Every split point gives the same events, also one character at a time.
    for (let i = 1; i < text.length; i++)
      expect(parse([text.slice(0, i), text.slice(i)])).toEqual(whole);
    expect(parse([...text])).toEqual(whole);
  });

  it('reads CRLF and CR line ends, also with the CRLF split across chunks', () => {
    expect(parse(['id: 7\r', '\nevent: status\r\ndata: {}\r', '\n\r', '\n'])).toEqual([
      { event: 'status', data: '{}', id: '7' },
    ]);
    expect(parse(['data: x\r\rdata: y\r\r', ': next\n'])).toEqual([
      { event: 'message', data: 'x', id: '' },
      { event: 'message', data: 'y', id: '' },
    ]);
  });

  it('joins data lines, keeps the last id, reads retry, skips comments and empty events', () => {
    const p = new SseParser();
    expect(p.push(': hello\n\nretry: 1000\n\nid: 3\n\ndata:a\ndata: b\ndata\n\n')).toEqual([
      { event: 'message', data: 'a\nb\n', id: '3' },
    ]);
    expect(p.retryMs).toBe(1000);
    expect(p.lastEventId).toBe('3');
    expect(p.push('retry: soon\nevent: x\ndata: y\n\n')).toEqual([
      { event: 'x', data: 'y', id: '3' },
    ]);
    expect(p.retryMs).toBe(1000);
    // An unfinished event is not dispatched, and its id does not count yet.
    expect(p.push('id: 4\nevent: stdout\ndata: {"text":"half"}\n')).toEqual([]);
    expect(p.lastEventId).toBe('3');
    // After a reset (a new connection) the half event is gone.
    p.reset();
    expect(p.push('\n')).toEqual([]);
    expect(p.lastEventId).toBe('3');
  });
});

describe('readEventStream', () => {
  it('reconnects after a drop with Last-Event-ID and decodes text split inside a character', async () => {
    const es = eventStream();
    fakeFetch({ 'GET /events': es.handler });
    const got: SseMessage[] = [];
    const ac = new AbortController();
    const states: string[] = [];
    const done = readEventStream('/events', {
      signal: ac.signal,
      retryMs: 5,
      onConnection: (s) => states.push(s),
      onMessage: (m) => {
        got.push(m);
        return m.event === 'end' ? 'stop' : undefined;
      },
    });
    await vi.waitFor(() => expect(es.connections).toHaveLength(1));
    const first = es.connections[0];
    // "é" is two bytes in UTF-8: the chunk boundary falls between them.
    const bytes = new TextEncoder().encode(sse(1, 'stdout', { text: 'é' }));
    const cut = bytes.indexOf(0xc3) + 1;
    first?.sendBytes(bytes.slice(0, cut));
    first?.sendBytes(bytes.slice(cut));
    first?.send(sse(2, 'stdout', { text: 'b' }));
    await vi.waitFor(() => expect(got).toHaveLength(2));
    expect(got[0]?.data).toBe('{"text":"é"}');
    // Event 3 is cut off by the drop: it does not count, and is asked for again.
    first?.send(sse(3, 'stdout', { text: 'lost' }).slice(0, 30));
    first?.drop();
    await vi.waitFor(() => expect(es.connections).toHaveLength(2));
    expect(es.connections[0]?.lastEventId).toBeNull();
    expect(es.connections[1]?.lastEventId).toBe('2');
    es.connections[1]?.send(
      sse(3, 'stdout', { text: 'c' }) + sse(4, 'end', { status: 'completed' }),
    );
    await done;
    expect(got.map((m) => m.id)).toEqual(['1', '2', '3', '4']);
    expect(got[2]?.data).toBe('{"text":"c"}');
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('waits as the server says (retry:) when it closes early, and stops on abort', async () => {
    let n = 0;
    const times: number[] = [];
    fakeFetch({
      'GET /events': () => {
        n += 1;
        times.push(Date.now());
        return new Response('event: status\ndata: {"status":"pending"}\nretry: 200\n\n', {
          headers: { 'Content-Type': 'text/event-stream' },
        });
      },
    });
    const ac = new AbortController();
    const done = readEventStream('/events', {
      signal: ac.signal,
      retryMs: 5,
      onMessage: () => undefined,
    });
    await vi.waitFor(() => expect(n).toBe(2), { timeout: 2000 });
    ac.abort();
    await done;
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(190);
    const after = n;
    await new Promise((r) => setTimeout(r, 300));
    expect(n).toBe(after);
  });

  it('gives up on a 404 without retrying; retries a 503 with a growing wait', async () => {
    const f = fakeFetch({});
    const err = await readEventStream('/events', {
      signal: new AbortController().signal,
      retryMs: 5,
      onMessage: () => undefined,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventStreamError);
    expect(err).toMatchObject({ status: 404 });
    expect(f.calls).toHaveLength(1);

    vi.unstubAllGlobals();
    const times: number[] = [];
    fakeFetch({
      'GET /events': () => {
        times.push(Date.now());
        return json(503, { detail: 'busy' });
      },
    });
    const ac = new AbortController();
    const done = readEventStream('/events', {
      signal: ac.signal,
      retryMs: 20,
      onMessage: () => undefined,
    });
    await vi.waitFor(() => expect(times.length).toBeGreaterThanOrEqual(4), { timeout: 2000 });
    ac.abort();
    await done;
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    // 20, 40, 80 ms: doubling while attempts bring nothing.
    expect(gaps[2] ?? 0).toBeGreaterThan((gaps[0] ?? 0) * 2);
  });

  it('refuses an answer that is not an event stream', async () => {
    fakeFetch({ 'GET /events': json(200, { ok: true }) });
    const err = await readEventStream('/events', {
      signal: new AbortController().signal,
      onMessage: () => undefined,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventStreamError);
  });
});
