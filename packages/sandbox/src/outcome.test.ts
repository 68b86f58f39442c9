import { describe, expect, it } from 'vitest';
import { classifyExit, type ExitFacts } from './outcome.js';

const base: ExitFacts = {
  code: 0,
  signal: null,
  killReason: undefined,
  started: true,
  done: { t: 'done', status: 'completed' },
  executionMs: 100,
  stderrTail: '',
  limits: { timeoutMs: 30_000, cpuSeconds: 30 },
};
const v = (over: Partial<ExitFacts>) => classifyExit({ ...base, ...over });

describe('classifyExit', () => {
  it('a clean exit with done: completed; the runtime`s own error and limit reports', () => {
    expect(v({})).toEqual({ status: 'completed' });
    expect(v({ done: undefined })).toEqual({ status: 'completed' });
    expect(v({ done: { t: 'done', status: 'error', error: 'Traceback…' } })).toEqual({
      status: 'error',
      cause: 'exception',
      error: 'Traceback…',
    });
    expect(v({ done: { t: 'done', status: 'error', error: 'exit 3', exitCode: 3 } })).toEqual({
      status: 'error',
      cause: 'exit',
      exitCode: 3,
      error: 'exit 3',
    });
    expect(v({ done: { t: 'done', status: 'limit', limit: 'memory', error: 'm' } })).toEqual({
      status: 'limit',
      limit: 'memory',
      error: 'm',
    });
  });

  it('the runner`s reason wins over the exit status', () => {
    expect(v({ code: 137, killReason: { kind: 'timeout' } })).toEqual({
      status: 'timeout',
      error: 'timed out after 30 s',
    });
    expect(v({ code: 137, killReason: { kind: 'cancelled' } })).toMatchObject({
      status: 'cancelled',
    });
    expect(
      v({ code: 137, killReason: { kind: 'limit', limit: 'memory', error: 'whole run' } }),
    ).toEqual({ status: 'limit', limit: 'memory', error: 'whole run' });
  });

  it('never started: a startup error quoting stderr`s tail', () => {
    expect(v({ started: false, code: 1, stderrTail: 'bwrap: No permissions\n' })).toEqual({
      status: 'error',
      cause: 'startup',
      error: 'sandbox failed to start (status 1): bwrap: No permissions',
    });
    expect(v({ started: false, code: null, signal: 'SIGKILL' }).status).toBe('error');
  });

  it('signals: 128 + N from bwrap or a real signal; SIGKILL past the CPU limit is the CPU limit', () => {
    expect(v({ code: 139, done: undefined })).toEqual({
      status: 'error',
      cause: 'exit',
      signal: 'SIGSEGV',
      error: 'script killed by SIGSEGV',
    });
    expect(v({ code: 152, done: undefined })).toMatchObject({ status: 'limit', limit: 'cpu' });
    expect(v({ code: 137, done: undefined, executionMs: 31_000 })).toMatchObject({
      status: 'limit',
      limit: 'cpu',
    });
    expect(v({ code: 137, done: undefined, executionMs: 500 })).toMatchObject({
      status: 'error',
      signal: 'SIGKILL',
    });
    expect(v({ code: 2, done: undefined })).toEqual({
      status: 'error',
      cause: 'exit',
      exitCode: 2,
      error: 'script exited with status 2',
    });
  });
});
