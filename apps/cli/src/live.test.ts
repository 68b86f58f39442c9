import { describe, expect, it } from 'vitest';
import { followLive, sseEvents } from './live.js';

const stream = (chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const x of chunks) c.enqueue(new TextEncoder().encode(x));
      c.close();
    },
  });

const TEXT = [
  ': keep-alive\n\n',
  'id: 1\nevent: status\ndata: {"status":"running"}\n\n',
  'id: 2\nevent: stdout\ndata: {"text":"héllo\\n"}\n\n',
  'id: 3\r\nevent: stderr\r\ndata: {"text":"warn"}\r\n\r\n',
  'id: 4\nevent: end\ndata: {"status":"completed"}\n\n',
].join('');

describe('sseEvents', () => {
  it('gives the same events however the stream is cut (inside UTF-8 and CRLF too)', async () => {
    const bytes = new TextEncoder().encode(TEXT);
    const whole = [];
    for await (const e of sseEvents(stream([TEXT]))) whole.push(e);
    expect(whole.map((e) => [e.id, e.event])).toEqual([
      ['1', 'status'],
      ['2', 'stdout'],
      ['3', 'stderr'],
      ['4', 'end'],
    ]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(bytes.slice(0, cut));
          c.enqueue(bytes.slice(cut));
          c.close();
        },
      });
      const got = [];
      for await (const e of sseEvents(body)) got.push(e);
      expect(got).toEqual(whole);
    }
  });
});

describe('followLive', () => {
  it('hands on output, resumes after a drop with Last-Event-ID, stops at end', async () => {
    const seen: (string | null)[] = [];
    let call = 0;
    const fetchImpl = async (_url: string, init?: RequestInit) => {
      seen.push(new Headers(init?.headers).get('last-event-id'));
      call++;
      const body =
        call === 1
          ? 'id: 1\nevent: stdout\ndata: {"text":"a"}\n\nid: 2\nevent: stdout\ndata: {"te'
          : 'id: 2\nevent: stdout\ndata: {"text":"b"}\n\nid: 3\nevent: end\ndata: {}\n\n';
      return new Response(stream([body]), { headers: { 'content-type': 'text/event-stream' } });
    };
    const out: string[] = [];
    const r = await followLive(
      fetchImpl,
      'http://x',
      'exec_1',
      {
        stdout: (t) => out.push(t),
        stderr: () => {},
      },
      new AbortController().signal,
    );
    expect(r).toEqual({ ended: true, printed: true });
    expect(out.join('')).toBe('ab');
    expect(seen).toEqual([null, '1']);
  });

  it('an answer that is not an event stream: nothing followed', async () => {
    const r = await followLive(
      async () => new Response('{"detail":"Not Found"}', { status: 404 }),
      'http://x',
      'exec_1',
      { stdout: () => {}, stderr: () => {} },
      new AbortController().signal,
    );
    expect(r).toEqual({ ended: false, printed: false });
  });
});
