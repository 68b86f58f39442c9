import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/index.js';
import { leftovers, testSandbox, text } from './helpers.js';

const sandbox = testSandbox(63000);

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
