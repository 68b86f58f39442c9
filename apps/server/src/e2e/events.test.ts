import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  lockedProfileOn,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
} from '../test/spawn-server.js';

/**
 * `GET /executions/{id}/events` through the server users run (default configuration, real
 * sandbox, real Python): output arrives while the script runs, a reconnect resumes exactly, a
 * secret split across writes and a sleep never shows, and what is withheld does not depend on
 * whether the output's tail begins a secret (another profile's, which the script does not hold).
 */
const root = traversableTempDir('airlock-events-');
const OWN = 'own-live-secret-0123456789';
const OTHER = 'sk_live_OtherProfileSecret0123456789';
let server: SpawnedServer;
let p: Awaited<ReturnType<typeof lockedProfileOn>>;

interface Received {
  id: string | undefined;
  event: string;
  data: string;
  at: number;
}

/** Reads an SSE stream until `end` (or `stopAfter` events), with arrival times. */
async function readEvents(
  id: string,
  options: { lastEventId?: string; stopAfter?: number } = {},
): Promise<Received[]> {
  const res = await fetch(`${server.url}/executions/${id}/events`, {
    headers: options.lastEventId ? { 'last-event-id': options.lastEventId } : {},
  });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const out: Received[] = [];
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return out;
    buf += decoder.decode(value, { stream: true });
    for (let cut = buf.indexOf('\n\n'); cut >= 0; cut = buf.indexOf('\n\n')) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const field = (name: string) =>
        block
          .split('\n')
          .filter((l) => l.startsWith(`${name}:`))
          .map((l) => l.slice(name.length + 1).replace(/^ /, ''));
      const [event] = field('event');
      if (event === undefined) continue; // a keep-alive comment
      out.push({ id: field('id')[0], event, data: field('data').join('\n'), at: Date.now() });
      if (event === 'end' || out.length === options.stopAfter) {
        await reader.cancel();
        return out;
      }
    }
  }
}

const stdoutOf = (events: Received[]) =>
  events
    .filter((e) => e.event === 'stdout')
    .map((e) => JSON.parse(e.data).text as string)
    .join('');

beforeAll(async () => {
  server = await spawnServer(join(root, 'data'));
  // Another profile's secret is stored (so every run's redactor masks it).
  await lockedProfileOn(server, { OTHER_KEY: OTHER });
  p = await lockedProfileOn(server, { OWN_KEY: OWN });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

const start = async (script: string) => (await p.execute(script)).json.execution_id as string;

describe('live events through the spawned server', () => {
  it('delivers output while the script runs; a reconnect resumes without loss or duplication', async () => {
    const id = await start(
      [
        'import time',
        'print("first line", flush=True)',
        'print("x" * 600, flush=True)',
        'time.sleep(3)',
        'print("second line")',
        'set_result(42)',
      ].join('\n'),
    );
    const t0 = Date.now();
    const events = await readEvents(id);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('status');
    expect(names.at(-1)).toBe('end');
    const first = events.find((e) => e.event === 'stdout' && e.data.includes('first line'));
    const end = events.at(-1) as Received;
    // The first line came during the sleep, seconds before the end.
    expect(first).toBeDefined();
    expect(end.at - (first as Received).at).toBeGreaterThan(2000);
    expect(stdoutOf(events)).toBe(`first line\n${'x'.repeat(600)}\nsecond line\n`);
    expect(JSON.parse(end.data)).toMatchObject({ status: 'completed', result: 42 });
    expect(Date.now() - t0).toBeLessThan(30_000);

    // Resume: the first three events, then the rest after the third's id.
    const head = await readEvents(id, { stopAfter: 3 });
    const tail = await readEvents(id, { lastEventId: head.at(-1)?.id as string });
    const ids = [...head, ...tail].map((e) => Number(e.id));
    expect(ids).toEqual(events.map((e) => Number(e.id)));
    expect(stdoutOf([...head, ...tail])).toBe(stdoutOf(events));
  }, 60_000);

  it('never shows a secret split across writes and a sleep', async () => {
    const id = await start(
      [
        'import sys, time',
        'v = settings["OWN_KEY"]',
        'sys.stdout.write("before " + v[:10]); sys.stdout.flush()',
        'time.sleep(2)',
        'sys.stdout.write(v[10:] + " after\\n" + "y" * 600 + "\\n"); sys.stdout.flush()',
        'time.sleep(1)',
      ].join('\n'),
    );
    const events = await readEvents(id);
    const out = stdoutOf(events);
    expect(out).toBe(`before [REDACTED:OWN_KEY] after\n${'y'.repeat(600)}\n`);
    for (const e of events) {
      expect(e.data).not.toContain(OWN.slice(0, 10));
      expect(e.data).not.toContain(OWN.slice(10));
    }
  }, 60_000);

  it('withholds the same whether or not the tail begins a secret', async () => {
    // The same length of output, during a sleep: its tail begins another profile's secret or not.
    const withheld = async (tail: string) => {
      const id = await start(
        [
          'import sys, time',
          `sys.stdout.write("z" * 2000 + ${JSON.stringify(tail)}); sys.stdout.flush()`,
          'time.sleep(3)',
        ].join('\n'),
      );
      const events = await readEvents(id);
      const end = events.at(-1) as Received;
      // What had arrived a second before the end: the run was asleep, its output all written.
      const during = events.filter((e) => e.event === 'stdout' && e.at < end.at - 1000);
      return Buffer.byteLength(stdoutOf(during));
    };
    const secretTail = OTHER.slice(0, 14);
    const plainTail = 'q'.repeat(secretTail.length);
    const a = await withheld(secretTail);
    const b = await withheld(plainTail);
    expect(a).toBe(b);
    expect(a).toBe(2000 + secretTail.length - 512);
  }, 60_000);

  it('an unknown execution is a 404', async () => {
    expect((await fetch(`${server.url}/executions/nope/events`)).status).toBe(404);
  });
});
