import { afterEach, describe, expect, it } from 'vitest';
import { processesOf, type RunHandle } from '../src/index.js';
import { leftovers, testSandbox } from './helpers.js';

const sandbox = testSandbox();

afterEach(() => {
  expect(leftovers(sandbox)).toEqual([]);
});

/** Resolves once the run asks for an LLM answer. */
function paused(handle: RunHandle): Promise<void> {
  return new Promise((resolve) => {
    void (async () => {
      for await (const ev of handle.events) if (ev.type === 'awaiting_llm') return resolve();
    })();
  });
}

describe('concurrent runs', () => {
  it('each run gets its own host uid, and each output holds only its own data', async () => {
    const handles = [0, 1, 2].map((i) =>
      sandbox.run({
        script: `print("run ${i}", settings["N"])\nllm.complete("wait")\nset_result(settings["N"])`,
        settings: { N: `value-${i}` },
      }),
    );
    await Promise.all(handles.map(paused));
    if (process.getuid?.() === 0) {
      const pythons = processesOf(sandbox.uids).filter((p) => p.name === 'python3');
      expect(new Set(pythons.map((p) => p.uid)).size).toBe(3);
    } else {
      console.log('not root: no uid pool, runs share the caller uid (per-run user namespaces)');
      expect(sandbox.uids).toEqual([]);
    }
    for (const h of handles) expect(h.respond('go')).toBe(true);
    const results = await Promise.all(handles.map((h) => h.result));
    results.forEach((r, i) => {
      expect(r).toMatchObject({ status: 'completed', result: `value-${i}` });
      expect(r.stdout.toString()).toBe(`run ${i} value-${i}\n`);
    });
  });

  it('a fork bomb in one run does not take the process budget of another', async () => {
    const bomb = sandbox.run({
      script: 'import os\nwhile True:\n    os.fork()',
      limits: { processes: 32, timeoutMs: 15_000 },
    });
    const worker = sandbox.run({
      script: [
        'import subprocess',
        'procs = [subprocess.Popen(["/usr/bin/sleep", "0.3"]) for _ in range(20)]',
        'set_result(sum(p.wait() == 0 for p in procs))',
      ].join('\n'),
      limits: { processes: 32, timeoutMs: 15_000 },
    });
    const [b, w] = await Promise.all([bomb.result, worker.result]);
    expect(b).toMatchObject({ status: 'limit', limit: 'processes' });
    expect(w).toMatchObject({ status: 'completed', result: 20 });
  });

  it('more runs than uids wait for a free uid instead of sharing one', async () => {
    const small = testSandbox({ poolSize: 1 });
    const runs = [0, 1, 2].map((i) => small.run({ script: `set_result(${i})` }).result);
    const results = await Promise.all(runs);
    expect(results.map((r) => (r.status === 'completed' ? r.result : r.status))).toEqual([0, 1, 2]);
    expect(leftovers(small)).toEqual([]);
  });
});
