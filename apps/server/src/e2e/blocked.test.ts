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
 * Waiting is not running, through the server users run (one slot): scripts asleep (or waiting
 * for the network) give their slot up, so three of them run at once; a script that computes
 * keeps its slot, so the next one stays queued.
 */
const root = traversableTempDir('airlock-blocked-');
let server: SpawnedServer;

beforeAll(async () => {
  server = await spawnServer(join(root, 'data'), { AIRLOCK_CONCURRENCY: '1' });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

const statusOf = async (id: string) =>
  (await server.api('GET', `/executions/${id}`)).json.status as string;
const until = async (check: () => Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('runs blocked in I/O hold no slot', () => {
  it('three sleeping scripts run at once on one slot; a busy one keeps its slot', async () => {
    const p = await lockedProfileOn(server, { B_KEY: 'blocked-value-0123456' });
    const sleepers = await Promise.all(
      [1, 2, 3].map(async (i) => {
        const r = await p.execute(`import time\nprint("up ${i}", flush=True)\ntime.sleep(4)`);
        return r.json.execution_id as string;
      }),
    );
    // All three running together, though there is one slot.
    await until(async () =>
      (await Promise.all(sleepers.map(statusOf))).every((s) => s === 'running'),
    );
    const queue = (await server.api('GET', '/health')).json.queue;
    expect(queue.concurrency).toBe(1);
    expect(queue.blocked).toBeGreaterThanOrEqual(2);
    for (const id of sleepers) expect((await p.waitDone(id)).status).toBe('completed');

    // A busy run keeps the slot: the next one waits for it.
    const busy = (await p.execute('print("busy", flush=True)\nwhile True: pass', 3)).json
      .execution_id as string;
    await until(async () => (await statusOf(busy)) === 'running');
    const next = (await p.execute('set_result(1)')).json.execution_id as string;
    await new Promise((r) => setTimeout(r, 1000));
    expect(await statusOf(next)).toBe('pending');
    expect((await p.waitDone(busy)).status).toBe('timeout');
    expect((await p.waitDone(next)).result).toBe(1);
  }, 60_000);
});
