import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { processesOf } from '@airlock/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  lockedProfileOn,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
} from '../test/spawn-server.js';

/**
 * The warm pool in the server users run (default configuration: two sandboxes ahead of
 * demand): /health reports it, runs take pooled sandboxes (networked ones too) and the pool
 * refills, every run sees a fresh sandbox with only its own settings, and kill -9 of the server
 * takes the pool with it.
 */
const root = traversableTempDir('airlock-warm-');
let server: SpawnedServer;

const warm = async () => (await server.api('GET', '/health')).json.sandbox.warm_pool;
const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
};

beforeAll(async () => {
  server = await spawnServer(join(root, 'data'));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('warm pool through the spawned server', () => {
  it('is ready at startup, serves runs with fresh sandboxes, refills', async () => {
    await until(async () => (await warm()).ready === 2);
    expect(await warm()).toEqual({ size: 2, ready: 2 });
    const a = await lockedProfileOn(server, { A_KEY: 'warm-value-aaaaaaaa' });
    const b = await lockedProfileOn(server, { B_KEY: 'warm-value-bbbbbbbb' });
    const script = [
      'import os',
      'first = not os.path.exists("/tmp/mark")',
      'open("/tmp/mark", "w").write("x")',
      'set_result({"fresh": first and os.listdir("/work") == [], "keys": sorted(settings.keys())})',
    ].join('\n');
    const ids = await Promise.all(
      [a, b, a, b].map(async (p) => ({ p, id: (await p.execute(script)).json.execution_id })),
    );
    for (const { p, id } of ids) {
      const done = await p.waitDone(id);
      expect(done.status).toBe('completed');
      expect(done.result.fresh).toBe(true);
      expect(done.result.keys).toEqual([p === a ? 'A_KEY' : 'B_KEY']);
    }
    await until(async () => (await warm()).ready === 2);
  }, 60_000);

  it('runs with a network policy take pooled sandboxes too: their egress is bound late', async () => {
    await until(async () => (await warm()).ready === 2);
    const p = await lockedProfileOn(
      server,
      { N_KEY: 'warm-network-value-cccc' },
      { network: { mode: 'allowlist', allow: ['api.allowed.test'] } },
    );
    const script = [
      'import os, urllib.request, urllib.error',
      // The mount point of a pooled sandbox's slot: a cold sandbox has none.
      'pooled = os.path.isdir("/airlock/slot")',
      'try:',
      '    urllib.request.urlopen("http://api.not-listed.test/", timeout=10)',
      '    answer = "reached"',
      'except urllib.error.HTTPError as e:',
      '    answer = "%d %s" % (e.code, e.reason)',
      'set_result({"pooled": pooled, "answer": answer})',
    ].join('\n');
    const done = await p.waitDone((await p.execute(script)).json.execution_id);
    expect(done.status).toBe('completed');
    // This run's own proxy answered, through the slot, with this profile's policy.
    expect(done.result).toEqual({
      pooled: true,
      answer: '403 Airlock egress denied: host is not in the allowlist',
    });
    expect(done.network).toEqual([
      expect.objectContaining({ host: 'api.not-listed.test', port: 80, verdict: 'denied' }),
    ]);
    await until(async () => (await warm()).ready === 2);
  }, 60_000);

  it('kill -9 of the server leaves no pooled sandbox', async () => {
    await until(async () => (await warm()).ready === 2);
    const uids = Array.from({ length: 64 }, (_, i) => server.uidBase + i);
    expect(processesOf(uids).length).toBeGreaterThan(0);
    await server.kill9();
    let left = processesOf(uids);
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = processesOf(uids);
    }
    expect(left).toEqual([]);
    // Restarted for afterAll's stop.
    server = await spawnServer(join(root, 'data'));
  }, 60_000);
});
