import { describe, expect, it } from 'vitest';
import { renderExecutions, renderHealth } from './status.js';

describe('status rendering', () => {
  it('summarises health: version, sandbox and queue', () => {
    expect(
      renderHealth('http://h', {
        status: 'unavailable',
        version: '1.2.3',
        sandbox: {
          backend: 'bwrap',
          ok: false,
          seccomp: true,
          unconfined: false,
          detail: 'no userns',
        },
        queue: { running: 1, queued: 2, concurrency: 4, capacity: 40 },
      }),
    ).toBe(
      'Airlock 1.2.3 at http://h: unavailable\n' +
        'sandbox: bwrap (NOT WORKING, seccomp): no userns\n' +
        'queue: 1 running, 2 queued (concurrency 4, capacity 40)\n',
    );
  });

  it('says whether memory is bounded per run', () => {
    const sandbox = { backend: 'bwrap', ok: true, seccomp: true };
    const render = (accounting: { active: boolean; mechanism: string }) =>
      renderHealth('http://h', { status: 'ok', sandbox: { ...sandbox, accounting } });
    expect(render({ active: true, mechanism: 'cgroup-v1' })).toContain(
      'sandbox: bwrap (ok, seccomp, memory per run: cgroup-v1)',
    );
    expect(render({ active: false, mechanism: 'none' })).toContain(
      'sandbox: bwrap (ok, seccomp, memory per process only)',
    );
  });

  it('lists executions in aligned columns', () => {
    const text = renderExecutions('ark_k', [
      {
        execution_id: 'exec_a',
        status: 'completed',
        execution_time_ms: 5,
        created_at: 'T1',
        completed_at: 'T2',
      },
      {
        execution_id: 'exec_b',
        status: 'awaiting_llm',
        execution_time_ms: null,
        created_at: 'T0',
        completed_at: null,
      },
    ]);
    expect(text).toBe(
      'recent executions for ark_k:\n' +
        'exec_a  completed     5 ms  T1\n' +
        'exec_b  awaiting_llm  -     T0\n',
    );
    expect(renderExecutions('ark_k', [])).toBe('no executions yet for ark_k\n');
  });
});
