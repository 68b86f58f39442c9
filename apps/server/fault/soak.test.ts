import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { processesOf } from '@airlock/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import {
  lockedProfileOn,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
  warmPoolFull,
} from '../src/test/spawn-server.js';

const root = traversableTempDir('airlock-soak-');
let server: SpawnedServer | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('long runs', () => {
  it('1000 sequential executions leak no fds, processes or memory', async () => {
    server = await spawnServer(join(root, 'data'));
    const p = await lockedProfileOn(server, { SOAK_TOKEN: 'soak-secret-value-1' });
    const runOne = async (i: number) => {
      const r = await p.execute(`print(settings['SOAK_TOKEN'], ${i})\nset_result(${i})`);
      expect(r.status).toBe(202);
      const done = await p.waitDone(r.json.execution_id);
      expect(done.status).toBe('completed');
      expect(done.result).toBe(i);
    };
    const uids = Array.from({ length: 32 }, (_, i) => (server as SpawnedServer).uidBase + i);
    for (let i = 0; i < 50; i++) await runOne(i); // warm-up: caches, JIT, pools
    // Measured with the warm pool full (its sandboxes are the only children then).
    await warmPoolFull(server);
    const before = server.resources();
    const pooled = processesOf(uids, true).length;
    for (let i = 50; i < 1000; i++) await runOne(i);
    await warmPoolFull(server);
    await new Promise((r) => setTimeout(r, 500));
    const after = server.resources();
    expect(after.fds).toBeLessThanOrEqual(before.fds + 5);
    // Nothing of the 1000 runs is left: the children and processes are the pool's, as before.
    expect(after.children).toBe(before.children);
    expect(before.children).toBe((await server.api('GET', '/health')).json.sandbox.warm_pool.size);
    expect(processesOf(uids, true).length).toBe(pooled);
    // Generous: a real leak of even 1 KiB per run would show as ~1 MiB; allow GC noise.
    expect(after.rssKiB).toBeLessThan(before.rssKiB * 1.5 + 64 * 1024);
  });
});
