import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  lockedProfileOn,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
} from '../src/test/spawn-server.js';

const root = traversableTempDir('airlock-load-');
let server: SpawnedServer | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('bounded concurrent load', () => {
  it('queues what fits, refuses the rest with Retry-After, keeps outputs apart and /health answering', async () => {
    server = await spawnServer(join(root, 'data'), {
      AIRLOCK_CONCURRENCY: '2',
      AIRLOCK_QUEUE_SIZE: '8',
    });
    const s = server;
    const profiles = await Promise.all(
      [0, 1, 2, 3].map((n) => lockedProfileOn(s, { [`LOAD_${n}`]: `load-secret-${n}-value` })),
    );

    let healthOk = 0;
    let healthFailed = 0;
    let polling = true;
    const healthLoop = (async () => {
      while (polling) {
        const r = await s.api('GET', '/health').catch(() => null);
        if (r?.status === 200) healthOk++;
        else healthFailed++;
        await new Promise((res) => setTimeout(res, 100));
      }
    })();

    const jobs = Array.from({ length: 40 }, (_, i) => ({
      i,
      p: profiles[i % 4] as (typeof profiles)[number],
      marker: `job-${i}`,
    }));
    const results = await Promise.all(
      jobs.map(async (job) => {
        const r = await job.p.execute(
          `import time\nprint(${JSON.stringify(job.marker)})\ntime.sleep(0.2)\nset_result(${JSON.stringify(job.marker)})`,
        );
        if (r.status === 429) {
          expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
          return { job, done: null };
        }
        expect(r.status).toBe(202);
        return { job, done: await job.p.waitDone(r.json.execution_id) };
      }),
    );
    polling = false;
    await healthLoop;

    const accepted = results.filter((r) => r.done !== null);
    expect(accepted.length).toBeGreaterThanOrEqual(10); // concurrency + queue
    expect(results.length - accepted.length).toBeGreaterThan(0); // the bound was reached
    for (const { job, done } of accepted) {
      expect(done.status).toBe('completed');
      expect(done.result).toBe(job.marker);
      expect(done.stdout).toBe(`${job.marker}\n`);
    }
    expect(healthOk).toBeGreaterThan(0);
    expect(healthFailed).toBe(0);
  });
});
