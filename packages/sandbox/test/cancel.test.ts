import { describe, expect, it } from 'vitest';
import { leftovers, testSandbox } from './helpers.js';

/**
 * A cancel can land at any moment of a run's life, including while the backend is still setting
 * up the namespaces (before its init exists and before die-with-parent is armed). Wherever it
 * lands, the script must not run to its end and nothing of the sandbox may remain.
 */
const sandbox = testSandbox({ poolSize: 2 });

describe('cancel at every moment of start-up', () => {
  it('never lets the script run on', async () => {
    for (let delay = 0; delay <= 40; delay += 2) {
      const h = sandbox.run({
        script: "import time\ntime.sleep(20)\nprint('ran to the end')",
        limits: { timeoutMs: 60_000, cpuSeconds: 60 },
      });
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      h.cancel();
      const r = await h.result;
      expect(r.status, `cancel after ${delay} ms`).toBe('cancelled');
      expect(r.stdout.toString(), `cancel after ${delay} ms`).not.toContain('ran to the end');
    }
    expect(await leftovers(sandbox)).toEqual([]);
  }, 120_000);
});
