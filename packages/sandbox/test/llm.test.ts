import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/index.js';
import { leftovers, testSandbox, text } from './helpers.js';

const sandbox = testSandbox();

afterEach(() => {
  expect(leftovers(sandbox)).toEqual([]);
});

describe('llm.complete pause and resume', () => {
  it('answers two calls in turn, with events in order', async () => {
    const handle = sandbox.run({
      script: [
        'a = llm.complete("first question")',
        'b = llm.complete("second question", model="fast")',
        'print("got", a, b)',
        'set_result([a, b])',
      ].join('\n'),
    });
    const seen: RunEvent[] = [];
    let n = 0;
    for await (const ev of handle.events) {
      seen.push(ev);
      if (ev.type === 'awaiting_llm') {
        expect(handle.state).toBe('awaiting_llm');
        n++;
        expect(handle.respond(`answer ${n} ✓`)).toBe(true);
        expect(handle.respond('twice')).toBe(false);
      }
    }
    const r = await handle.result;
    expect(seen).toEqual([
      { type: 'running' },
      { type: 'awaiting_llm', prompt: 'first question', model: 'default' },
      { type: 'running' },
      { type: 'awaiting_llm', prompt: 'second question', model: 'fast' },
      { type: 'running' },
    ]);
    expect(r).toMatchObject({ status: 'completed', result: ['answer 1 ✓', 'answer 2 ✓'] });
    expect(text(r.stdout)).toBe('got answer 1 ✓ answer 2 ✓\n');
    expect(handle.state).toBe('finished');
    expect(handle.respond('late')).toBe(false);
  });

  it('ends the run with a clear error when the LLM wait limit passes', async () => {
    const r = await sandbox.run({
      script: 'llm.complete("nobody answers")',
      limits: { llmWaitMs: 500 },
    }).result;
    expect(r).toMatchObject({ status: 'error', cause: 'llm_wait' });
    if (r.status === 'error') expect(r.error).toContain('LLM wait limit');
    expect(r.llmWaitMs).toBeGreaterThanOrEqual(450);
  });

  it('freezes the whole run while it waits: threads and children compute nothing', async () => {
    // A thread and a forked child each record a tick every 20 ms; the agent answers after 1.5 s.
    const handle = sandbox.run({
      script: [
        'import os, threading, time',
        'ticks = []',
        'def tick():',
        '    while True:',
        '        ticks.append(time.monotonic()); time.sleep(0.02)',
        'threading.Thread(target=tick, daemon=True).start()',
        'r, w = os.pipe()',
        'if os.fork() == 0:',
        '    os.close(r)',
        '    while True:',
        '        os.write(w, b"%f\\n" % time.monotonic()); time.sleep(0.02)',
        'os.close(w)',
        'time.sleep(0.3)',
        't0 = time.monotonic()',
        'llm.complete("think slowly")',
        't1 = time.monotonic()',
        'time.sleep(0.3)',
        'os.set_blocking(r, False)',
        'child = [float(x) for x in os.read(r, 1 << 20).split()]',
        'inside = lambda ts: sum(1 for t in ts if t0 + 0.4 < t < t1 - 0.4)',
        'set_result({"waited": t1 - t0, "thread": inside(ticks), "child": inside(child),',
        '            "thread_after": sum(1 for t in ticks if t > t1)})',
      ].join('\n'),
      onEvent: (ev) => {
        if (ev.type === 'awaiting_llm') setTimeout(() => handle.respond('done'), 1500);
      },
    });
    const r = await handle.result;
    expect(r.status).toBe('completed');
    if (r.status !== 'completed') return;
    const res = r.result as { waited: number; thread: number; child: number; thread_after: number };
    expect(res.waited).toBeGreaterThan(1.4);
    // Without the freeze each would record about 35 ticks in that window.
    expect(res.thread).toBe(0);
    expect(res.child).toBe(0);
    // Resumed afterwards.
    expect(res.thread_after).toBeGreaterThan(3);
  });

  it('pauses the wall-clock timeout while waiting for the agent', async () => {
    // 3 s of running time allowed; the agent takes 4 s to answer; the script still completes.
    const handle = sandbox.run({
      script: 'x = llm.complete("slow agent")\nset_result(x)',
      limits: { timeoutMs: 3000 },
      onEvent: (ev) => {
        if (ev.type === 'awaiting_llm') setTimeout(() => handle.respond('late but fine'), 4000);
      },
    });
    const r = await handle.result;
    expect(r).toMatchObject({ status: 'completed', result: 'late but fine' });
    expect(r.llmWaitMs).toBeGreaterThanOrEqual(3900);
    expect(r.executionMs).toBeLessThan(3000);
  });

  it('still times out on running time around LLM calls', async () => {
    const handle = sandbox.run({
      script: 'llm.complete("q")\nimport time\ntime.sleep(100)',
      limits: { timeoutMs: 800 },
      onEvent: (ev) => {
        if (ev.type === 'awaiting_llm') handle.respond('a');
      },
    });
    expect(await handle.result).toMatchObject({ status: 'timeout' });
  });

  it('cancel while awaiting an answer', async () => {
    const handle = sandbox.run({
      script: 'llm.complete("q")',
      onEvent: (ev) => {
        if (ev.type === 'awaiting_llm') handle.cancel();
      },
    });
    expect(await handle.result).toMatchObject({ status: 'cancelled' });
  });

  it('rejects non-string prompts inside the script', async () => {
    const r = await sandbox.run({ script: 'llm.complete(42)' }).result;
    expect(r.status).toBe('error');
    if (r.status === 'error') expect(r.error).toContain('prompt must be a str');
  });

  it('a prompt over the bound ends the run with a protocol error', async () => {
    const r = await sandbox.run({
      script: 'llm.complete("p" * 5000)',
      limits: { maxPromptBytes: 1000 },
    }).result;
    expect(r).toMatchObject({ status: 'error', cause: 'protocol' });
  });
});
