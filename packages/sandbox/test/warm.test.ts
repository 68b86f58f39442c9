/**
 * The warm pool: sandboxes started ahead of demand, each handed to exactly one run and never
 * reused; a run of another shape, or one that finds the pool empty, starts cold; the pool
 * refills; closing it leaves no process.
 */
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../src/index.js';
import { leftovers, run, TEST_BACKEND, testSandbox, text } from './helpers.js';

const sandbox = testSandbox({ warm: { size: 2 } });
sandbox.warmUp();
const cold = testSandbox();

const until = async (check: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};
const ready = () => sandbox.warmStats()?.ready ?? 0;

/** What a script can see of its sandbox: the same on a pooled one as on a cold one. */
const PROBE = [
  'import os, json',
  'marker = "/tmp/earlier-run-was-here"',
  'seen = {',
  '  "env": dict(os.environ),',
  '  "tmp": sorted(os.listdir("/tmp")),',
  '  "work": sorted(os.listdir("/work")),',
  '  "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),',
  '  "uid": os.getuid(), "cwd": os.getcwd(),',
  '  "settings": dict(settings),',
  '}',
  'open(marker, "w").write("x")',
  'open("/work/file", "w").write("x")',
  'set_result(seen)',
].join('\n');

describe(`warm pool (${TEST_BACKEND})`, () => {
  it('fills, hands each sandbox to one run only, and sees only that run`s settings', async () => {
    await until(() => ready() === 2);
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((v) => run(sandbox, PROBE, { settings: { ONLY: `value-${v}` } })),
    );
    for (const [i, r] of results.entries()) {
      expect(r.status, text(r.stderr)).toBe('completed');
      if (r.status !== 'completed') continue;
      const seen = r.result as { tmp: string[]; work: string[]; settings: object; pids: number[] };
      // Nothing of an earlier run: /tmp and /work empty, its own settings only.
      expect(seen.tmp).toEqual([]);
      expect(seen.work).toEqual([]);
      expect(seen.settings).toEqual({ ONLY: `value-${'abcd'[i]}` });
    }
    // Two took pooled sandboxes, the others found the pool empty and started cold.
    expect(results.filter((r) => r.warm).length).toBe(2);
    expect(results.filter((r) => !r.warm).length).toBe(2);
    const s = sandbox.warmStats();
    expect(s?.claimed).toBe(2);
    // It refills after the burst.
    await until(() => ready() === 2);
    // The two waiting ones (their processes appear as the backend sets them up).
    await until(() => leftovers(sandbox).length > 0);
  });

  it('a pooled sandbox looks exactly like a cold one to the script', async () => {
    await until(() => ready() === 2);
    const warm = await run(sandbox, PROBE, { settings: { ONLY: 'same' } });
    const coldRun = await run(cold, PROBE, { settings: { ONLY: 'same' } });
    expect(warm.warm).toBe(true);
    expect(coldRun.warm).toBe(false);
    if (warm.status !== 'completed' || coldRun.status !== 'completed') throw new Error('failed');
    expect(warm.result).toEqual(coldRun.result);
  });

  it('a run of another shape starts cold (a network, other limits)', async () => {
    await until(() => ready() === 2);
    const other = await run(sandbox, 'set_result(1)', { limits: { memoryBytes: 300 * 2 ** 20 } });
    expect(other).toMatchObject({ status: 'completed', warm: false });
    const limits = await run(
      sandbox,
      'import resource\nset_result(resource.getrlimit(resource.RLIMIT_CPU))',
      {
        limits: { cpuSeconds: 7 },
      },
    );
    // Pooled, and the run's own CPU limit applies (the runtime lowers it at init).
    expect(limits).toMatchObject({ status: 'completed', warm: true, result: [7, 8] });
  });

  it('closing the sandbox kills every pooled process', async () => {
    const s = createSandbox({
      backend: TEST_BACKEND,
      uidBase: sandbox.uids.length > 0 ? (sandbox.uids.at(-1) as number) + 1 : undefined,
      poolSize: 4,
      warm: { size: 2 },
      log: () => {},
    });
    s.warmUp();
    await until(() => (s.warmStats()?.ready ?? 0) === 2);
    // Ready means started: its processes appear as the backend sets the sandbox up.
    await until(() => leftovers(s).length > 0);
    await s.close();
    expect(leftovers(s)).toEqual([]);
  });
});

afterAll(async () => {
  await sandbox.close();
  expect(leftovers(sandbox)).toEqual([]);
});

describe(`warm pool with late-bound egress (${TEST_BACKEND})`, () => {
  // The runs' egress sockets and the pool's slots on one filesystem, reachable by sandbox uids.
  const root = mkdtempSync(join(tmpdir(), 'airlock-warm-slots-'));
  chmodSync(root, 0o711);
  const slotsDir = join(root, 'slots');
  const slotted = testSandbox({ warm: { size: 1, slotsDir } });
  slotted.warmUp();
  const slotReady = () => (slotted.warmStats()?.ready ?? 0) === 1;
  /** A stand-in proxy answering every request with `reply`, on a socket of its own. */
  const proxy = async (name: string, reply: string) => {
    const path = join(root, `${name}.sock`);
    const server = createServer((c: Socket) => {
      c.once('data', () =>
        c.end(
          `HTTP/1.1 200 OK\r\nContent-Length: ${reply.length}\r\nConnection: close\r\n\r\n${reply}`,
        ),
      );
      c.on('error', () => {});
    });
    server.listen(path);
    await once(server, 'listening');
    chmodSync(path, 0o666);
    return { path, close: () => new Promise<void>((r) => server.close(() => r())) };
  };
  const GET =
    'import urllib.request\nset_result(urllib.request.urlopen("http://api.example.test/", timeout=10).read().decode())';

  afterAll(async () => {
    await slotted.close();
    expect(leftovers(slotted)).toEqual([]);
    // Every slot went with its sandbox.
    expect(readdirSync(slotsDir)).toEqual([]);
    rmSync(root, { recursive: true, force: true });
  });

  it('runs with egress take a pooled sandbox and reach their own proxy, each its own', async () => {
    for (const name of ['first', 'second']) {
      const p = await proxy(name, `answer of ${name}`);
      try {
        await until(slotReady);
        const r = await run(slotted, GET, {
          network: { mode: 'egress', socket: p.path, names: ['api.example.test'] },
        });
        expect(r, text(r.stderr)).toMatchObject({
          status: 'completed',
          warm: true,
          result: `answer of ${name}`,
        });
      } finally {
        await p.close();
      }
    }
  });

  it('a brokered run trusts its own bundle; a run without network sees the system one', async () => {
    const p = await proxy('bundle', 'ok');
    const bundle = join(root, 'bundle.pem');
    writeFileSync(bundle, '-----BEGIN CERTIFICATE-----\ntest bundle of this run\n');
    const read = 'set_result(open("/etc/ssl/certs/ca-certificates.crt").read())';
    try {
      await until(slotReady);
      const brokered = await run(slotted, read, {
        network: { mode: 'egress', socket: p.path, names: ['api.example.test'], trust: bundle },
      });
      expect(brokered).toMatchObject({
        status: 'completed',
        warm: true,
        result: readFileSync(bundle, 'utf8'),
      });
      await until(slotReady);
      const none = await run(slotted, read);
      expect(none).toMatchObject({
        status: 'completed',
        warm: true,
        result: readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8'),
      });
    } finally {
      await p.close();
    }
  });

  it('a run without network on a slotted sandbox has no way out: its slot stays empty', async () => {
    await until(slotReady);
    const r = await run(
      slotted,
      [
        'import socket, os',
        'found = {}',
        'for path in ("/airlock/slot/egress.sock", "/airlock/egress.sock"):',
        '    s = socket.socket(socket.AF_UNIX)',
        '    try:',
        '        s.connect(path)',
        '        found[path] = "connected"',
        '    except OSError as e:',
        '        found[path] = type(e).__name__',
        'set_result(found)',
      ].join('\n'),
    );
    expect(r).toMatchObject({
      status: 'completed',
      warm: true,
      result: {
        '/airlock/slot/egress.sock': 'FileNotFoundError',
        '/airlock/egress.sock': 'FileNotFoundError',
      },
    });
  });
});
