import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { leftovers, testSandbox } from './helpers.js';

const sandbox = testSandbox();

const openFds = () => readdirSync('/proc/self/fd').length;

describe('resource hygiene of the parent', () => {
  it('200 sequential runs leave no process, fd or memory growth', async () => {
    // Warm up (module loading, first allocations), then measure.
    for (let i = 0; i < 10; i++) await sandbox.run({ script: 'set_result(1)' }).result;
    const fds0 = openFds();
    const rss0 = process.memoryUsage().rss;
    const statuses = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      // A mix: plain, printing, error, killed by timeout every 20th.
      const script =
        i % 20 === 0
          ? 'import time\ntime.sleep(10)'
          : i % 3 === 0
            ? 'raise ValueError("x")'
            : `print("run ${i}")\nset_result(${i})`;
      const r = await sandbox.run({ script, limits: { timeoutMs: i % 20 === 0 ? 200 : 10_000 } })
        .result;
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
    expect(statuses.get('timeout')).toBe(10);
    expect(statuses.get('completed')).toBeGreaterThan(100);
    expect(leftovers(sandbox)).toEqual([]);
    // A leak would grow with every run (hundreds); a few fds of slack absorb the test runner's own.
    expect(openFds()).toBeLessThanOrEqual(fds0 + 5);
    // Generous bound: RSS may wobble with GC, but not grow with every run.
    expect(process.memoryUsage().rss - rss0).toBeLessThan(64 * 2 ** 20);
  });
});
