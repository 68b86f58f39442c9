/**
 * The exit classifier: how a run ended, from facts only (the exit status, what the runtime
 * reported, why the runner ended it, the run's accounting). Pure: no process, no clock.
 */
import type { RuntimeMessage } from './channel.js';
import type { ErrorCause, LimitKind, Limits } from './types.js';

/** How a run was ended from the outside (the first reason wins). */
export type KillReason =
  | { kind: 'timeout' }
  | { kind: 'cancelled' }
  | { kind: 'limit'; limit: LimitKind; error: string }
  | { kind: 'error'; cause: ErrorCause; error: string };

/** The runtime's final report, if it sent one. */
export type DoneMessage = Extract<RuntimeMessage, { t: 'done' }>;

/** Everything the verdict depends on. */
export interface ExitFacts {
  /** Exit status and signal of the launcher (bwrap reports a child's signal N as 128 + N). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why the runner ended the run, if it did. */
  killReason: KillReason | undefined;
  /** Whether the runtime said `started` (else the sandbox or the interpreter never came up). */
  started: boolean;
  done: DoneMessage | undefined;
  /** Running time so far, ms (LLM waits excluded). */
  executionMs: number;
  /** The last bytes of stderr, for a startup failure's message. */
  stderrTail: string;
  limits: Pick<Limits, 'timeoutMs' | 'cpuSeconds'>;
}

/** The verdict: `completed` means "the last `set_result` value is the result". */
export type Verdict =
  | { status: 'completed' }
  | { status: 'error'; cause: ErrorCause; error: string; exitCode?: number; signal?: string }
  | { status: 'timeout'; error: string }
  | { status: 'limit'; limit: LimitKind; error: string }
  | { status: 'cancelled'; error: string };

const SIGNALS: Record<number, string> = {
  4: 'SIGILL',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  15: 'SIGTERM',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
};

/**
 * The closed outcome of a run.
 *
 * @example
 * classifyExit({ code: 137, signal: null, killReason: undefined, started: true, done: undefined,
 *   executionMs: 31000, stderrTail: '', limits: { timeoutMs: 60000, cpuSeconds: 30 } });
 * // { status: 'limit', limit: 'cpu', error: 'CPU time limit exceeded (30 s)' }
 */
export function classifyExit(f: ExitFacts): Verdict {
  if (f.killReason) return fromKill(f.killReason, f.limits);
  const sigNo = f.signal === null ? (f.code !== null && f.code > 128 ? f.code - 128 : 0) : 0;
  const sigName = f.signal ?? (sigNo ? (SIGNALS[sigNo] ?? `signal ${sigNo}`) : undefined);
  if (!f.started) {
    const why = f.stderrTail.trim().slice(-2000);
    return {
      status: 'error',
      cause: 'startup',
      error: `sandbox failed to start (${f.code === null ? sigName : `status ${f.code}`})${why ? `: ${why}` : ''}`,
    };
  }
  if (f.code === 0 && f.done) {
    if (f.done.status === 'completed') return { status: 'completed' };
    if (f.done.status === 'error') {
      return f.done.exitCode !== undefined
        ? { status: 'error', cause: 'exit', exitCode: f.done.exitCode, error: f.done.error }
        : { status: 'error', cause: 'exception', error: f.done.error };
    }
    return { status: 'limit', limit: f.done.limit, error: f.done.error };
  }
  if (f.code === 0) return { status: 'completed' };
  // SIGKILL that the runner did not send: the CPU hard limit (one second past the soft one,
  // when the SIGXCPU handler could not run because the script was busy inside C code).
  const cpuHardLimit = sigName === 'SIGKILL' && f.executionMs >= f.limits.cpuSeconds * 1000;
  if (sigName === 'SIGXCPU' || cpuHardLimit) {
    return {
      status: 'limit',
      limit: 'cpu',
      error: `CPU time limit exceeded (${f.limits.cpuSeconds} s)`,
    };
  }
  if (sigName !== undefined) {
    return {
      status: 'error',
      cause: 'exit',
      signal: sigName,
      error: `script killed by ${sigName}`,
    };
  }
  return {
    status: 'error',
    cause: 'exit',
    exitCode: f.code ?? -1,
    error: `script exited with status ${f.code}`,
  };
}

function fromKill(reason: KillReason, limits: ExitFacts['limits']): Verdict {
  switch (reason.kind) {
    case 'timeout':
      return {
        status: 'timeout',
        error: `timed out after ${Math.round(limits.timeoutMs / 1000)} s`,
      };
    case 'cancelled':
      return { status: 'cancelled', error: 'cancelled' };
    case 'limit':
      return { status: 'limit', limit: reason.limit, error: reason.error };
    case 'error':
      return { status: 'error', cause: reason.cause, error: reason.error };
  }
}
