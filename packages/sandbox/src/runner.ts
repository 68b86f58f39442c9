/**
 * One run: spawn the backend with the runtime, hand over the script and settings on the control
 * channel (fd 3), capture output, enforce the wall clock and the LLM wait, and settle exactly one
 * closed result once every process of the sandbox is gone.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { isAbsolute } from 'node:path';
import type { Readable } from 'node:stream';
import { EGRESS_PORT, INSIDE, type LaunchRequest } from './backends.js';
import { OutputCapture, type Stream } from './capture.js';
import type { CgroupHost, RunCgroup } from './cgroups.js';
import { LineSplitter, parseMessage } from './channel.js';
import { classifyExit, type DoneMessage, type KillReason } from './outcome.js';
import { freezeUid, processesOf, signal, stopSandbox, waitUntilGone } from './procs.js';
import { RunClock } from './run-clock.js';
import { bindSlot, removeSlot } from './slot.js';
import { type Spawned, spawnSandbox } from './spawn.js';
import type {
  BackendName,
  JsonValue,
  Limits,
  NetworkPolicy,
  RunCapture,
  RunEvent,
  RunHandle,
  RunResult,
  RunSpec,
  RunState,
} from './types.js';
import type { UidPool } from './uid-pool.js';
import { type WarmPool, warmKey } from './warm-pool.js';

/** What the sandbox hands each run. */
export interface RunContext {
  backend: BackendName;
  binary: string;
  /** Builds the launch request for a script run (paths differ per backend). */
  request: (
    network: NetworkPolicy,
    limits: Limits,
    uid: number | undefined,
    packages: readonly string[],
    slot?: string,
  ) => LaunchRequest;
  /** The sandbox's packages directories (its `packagesDir`), for runs that name none. */
  defaultPackages: readonly string[];
  /** Where a run's packages directories appear to its script (import paths, in order). */
  insidePackages: (dirs: readonly string[]) => string[];
  pool: UidPool | undefined;
  /** Whole-run accounting, when the host allows it (each run gets its own cgroup). */
  cgroups: CgroupHost | undefined;
  seccompPath: string | undefined;
  defaults: Limits;
  maxScriptBytes: number;
  /** Sandboxes started ahead of demand (runs of their shape take one instead of starting). */
  warm: WarmPool | undefined;
  /** Teardown still under way after runs settled (cgroups being removed); `close()` waits. */
  cleanups: Set<Promise<void>>;
  /** Where warnings go. */
  log: (message: string) => void;
}

/** Exactly how the runtime starts a `set_result` message. */
const RESULT_PREFIX = Buffer.from('{"t":"result","value":');
/** All control traffic of one run (results are re-sent on every set_result call). */
const MAX_CONTROL_BYTES = 256 * 1024 * 1024;
/** How often a run's cgroup is checked for OOM kills while it runs, ms. */
const OOM_POLL_MS = 50;

/** Runs without a leased uid (non-root callers) name their cgroups with this counter. */
let cgroupSeq = 0;

/** A cgroup name for a run (or a pooled sandbox): its uid, else a counter of this process. */
export function cgroupName(uid: number | undefined): string {
  return uid !== undefined ? String(uid) : `p${process.pid}.${++cgroupSeq}`;
}

/** A small single-consumer async queue for events. */
class EventQueue implements AsyncIterable<RunEvent> {
  #items: RunEvent[] = [];
  #waiting: ((r: IteratorResult<RunEvent>) => void) | undefined;
  #closed = false;

  push(ev: RunEvent): void {
    if (this.#closed) return;
    const w = this.#waiting;
    if (w) {
      this.#waiting = undefined;
      w({ value: ev, done: false });
    } else this.#items.push(ev);
  }

  close(): void {
    this.#closed = true;
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<RunEvent> {
    return {
      next: () => {
        const ev = this.#items.shift();
        if (ev) return Promise.resolve({ value: ev, done: false });
        if (this.#closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.#waiting = resolve;
        });
      },
    };
  }
}

function positiveInt(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v <= 0) {
    throw new RangeError(`sandbox limit ${name} must be a positive integer (got ${v})`);
  }
}

/** Merges and validates limits (a broken limit is a caller bug: it throws). */
export function resolveLimits(defaults: Limits, over: Partial<Limits> | undefined): Limits {
  const limits: Limits = { ...defaults };
  for (const [k, v] of Object.entries(over ?? {})) {
    if (v === undefined) continue;
    if (!(k in defaults)) throw new RangeError(`unknown sandbox limit "${k}"`);
    (limits as unknown as Record<string, number>)[k] = v as number;
  }
  for (const [k, v] of Object.entries(limits)) positiveInt(k, v as number);
  return limits;
}

function validateSpec(spec: RunSpec, maxScriptBytes: number): void {
  if (typeof spec.script !== 'string') throw new TypeError('run(): script must be a string');
  if (Buffer.byteLength(spec.script) > maxScriptBytes) {
    throw new RangeError(`run(): script is larger than ${maxScriptBytes} bytes`);
  }
  for (const [k, v] of Object.entries(spec.settings ?? {})) {
    if (typeof v !== 'string') throw new TypeError(`run(): setting "${k}" must be a string`);
  }
  const mode = spec.network?.mode ?? 'none';
  if (mode !== 'none' && mode !== 'full' && mode !== 'host' && mode !== 'egress')
    throw new TypeError(`run(): unknown network mode "${mode}"`);
  if (spec.network?.mode === 'egress' && !isAbsolute(spec.network.socket))
    throw new TypeError('run(): the egress socket must be an absolute path');
  if (
    spec.network?.mode === 'egress' &&
    spec.network.trust !== undefined &&
    !isAbsolute(spec.network.trust)
  )
    throw new TypeError('run(): the trust bundle must be an absolute path');
  for (const d of spec.packages ?? []) {
    if (typeof d !== 'string' || !isAbsolute(d))
      throw new TypeError(`run(): packages directories must be absolute paths (got ${d})`);
  }
}

/**
 * Starts one run. Throws only for an invalid spec (caller bug); every outcome of the script,
 * including the sandbox failing to start, is a `RunResult`.
 */
export function startRun(ctx: RunContext, spec: RunSpec): RunHandle {
  validateSpec(spec, ctx.maxScriptBytes);
  const limits = resolveLimits(ctx.defaults, spec.limits);
  const network: NetworkPolicy = spec.network ?? { mode: 'none' };
  const queue = new EventQueue();

  let state: RunState = 'starting';
  let child: ChildProcess | undefined;
  let channel: Socket | undefined;
  let killReason: KillReason | undefined;
  let finished = false;
  let cancelRequested = false;

  const clock = new RunClock();
  let runTimer: NodeJS.Timeout | undefined;
  let llmTimer: NodeJS.Timeout | undefined;
  let escalate: NodeJS.Timeout | undefined;

  const capture = new OutputCapture(limits.maxOutputBytes);
  // The last `set_result` line, kept raw and parsed once at the end: a script calling
  // set_result in a loop must not make the server parse every value (event-loop time).
  let lastResultLine: Buffer | undefined;
  let controlBytes = 0;
  let done: DoneMessage | undefined;
  let started = false;

  const emit = (ev: RunEvent) => {
    queue.push(ev);
    try {
      spec.onEvent?.(ev);
    } catch {
      // a throwing listener must not break the run
    }
  };

  /** The uid leased to this run (root only): every sandbox process runs as it. */
  let leasedUid: number | undefined;
  const sweeps: NodeJS.Timeout[] = [];

  const kill = (reason: KillReason) => {
    if (killReason || finished) return;
    killReason = reason;
    clearTimeout(runTimer);
    clearTimeout(llmTimer);
    // A frozen run dies as well (SIGKILL reaches stopped processes); resuming first lets every
    // parent in the sandbox reap its children at once, so no zombie outlives the run.
    if (state === 'awaiting_llm' && leasedUid !== undefined) freezeUid(leasedUid, false);
    // Kill the namespace's init (the backend's child) first: the backend reaps it and exits, so
    // nothing is orphaned to the host's PID 1 as a zombie. The kernel kills every other process
    // of the PID namespace with its init. The backend itself is killed if it lingers, or at
    // once when it has no child yet (still setting up; die-with-parent covers that child).
    const pid = child?.pid;
    if (pid === undefined) return;
    if (ctx.backend === 'unconfined-dev') {
      signal(-pid); // its process group
      return;
    }
    escalate = stopSandbox(pid);
    // Every process of this run has the leased uid, and nothing else does. A stop that lands
    // while the backend is still setting up (its init not forked yet, die-with-parent not yet
    // armed) can miss a process that appears a moment later, which would then run to its own
    // end; sweep the whole uid shortly after, and again, until the backend has closed.
    // The backend itself is spared: it reaps what dies under it (no zombie is orphaned to the
    // host's PID 1) and exits; `stopSandbox` escalates to it if it lingers.
    if (leasedUid !== undefined) {
      const uid = leasedUid;
      const sweep = (delay: number) =>
        setTimeout(() => {
          if (finished) return;
          for (const p of processesOf([uid])) if (p.pid !== pid) signal(p.pid);
          for (const p of cgroup?.pids() ?? []) if (p !== pid) signal(p);
          if (delay < 2000) sweeps.push(sweep(delay * 2));
        }, delay);
      sweeps.push(sweep(50));
    }
  };

  const armRunTimer = () => {
    clearTimeout(runTimer);
    const left = limits.timeoutMs - clock.runningMs();
    runTimer = setTimeout(() => kill({ kind: 'timeout' }), Math.max(0, left));
  };

  const onOutput = (stream: Stream, chunk: Buffer) => {
    const { kept, overflow } = capture.push(stream, chunk);
    if (kept.length > 0) {
      try {
        spec.onOutput?.(stream, kept);
      } catch {
        // a throwing listener must not break the run
      }
    }
    if (overflow) {
      kill({
        kind: 'limit',
        limit: 'output',
        error: `output limit exceeded: more than ${limits.maxOutputBytes} bytes on ${stream}`,
      });
    }
  };

  const protocolError = (why: string) =>
    kill({ kind: 'error', cause: 'protocol', error: `sandbox protocol error: ${why}` });

  const onMessage = (line: Buffer) => {
    if (done) return protocolError('message after done');
    if (line.subarray(0, RESULT_PREFIX.length).equals(RESULT_PREFIX)) {
      // Kept raw and checked once at the end (see lastResult).
      lastResultLine = line;
      return;
    }
    const msg = parseMessage(line);
    if ('invalid' in msg) return protocolError(msg.invalid);
    switch (msg.t) {
      case 'started':
        if (started) return protocolError('started twice');
        started = true;
        state = 'running';
        return;
      case 'result':
        // Only the runtime's own form carries a result (it is what keeps numbers exact).
        return protocolError('result message not in the runtime format');
      case 'llm': {
        if (state !== 'running') return protocolError('llm request while not running');
        if (Buffer.byteLength(msg.prompt) + Buffer.byteLength(msg.model) > limits.maxPromptBytes) {
          return protocolError(`llm prompt larger than ${limits.maxPromptBytes} bytes`);
        }
        clearTimeout(runTimer);
        state = 'awaiting_llm';
        clock.pause();
        // While the agent thinks, nothing of the run computes: its other threads and children
        // would otherwise run on, uncounted by the paused clock.
        if (leasedUid !== undefined) freezeUid(leasedUid, true);
        llmTimer = setTimeout(
          () =>
            kill({
              kind: 'error',
              cause: 'llm_wait',
              error: `llm.complete() was not answered within ${Math.round(limits.llmWaitMs / 1000)} s (LLM wait limit)`,
            }),
          limits.llmWaitMs,
        );
        emit({ type: 'awaiting_llm', prompt: msg.prompt, model: msg.model });
        return;
      }
      case 'done':
        done = msg;
        return;
    }
  };

  const respond = (text: string): boolean => {
    if (state !== 'awaiting_llm' || killReason || finished || !channel) return false;
    if (typeof text !== 'string') throw new TypeError('respond(): text must be a string');
    const line = `${JSON.stringify({ t: 'llm_response', text })}\n`;
    if (Buffer.byteLength(line) > limits.maxResponseBytes) {
      throw new RangeError(`respond(): text is larger than ${limits.maxResponseBytes} bytes`);
    }
    clearTimeout(llmTimer);
    clock.resume();
    state = 'running';
    if (leasedUid !== undefined) freezeUid(leasedUid, false);
    channel.write(line);
    armRunTimer();
    emit({ type: 'running' });
    return true;
  };

  /**
   * The last result: the JSON text between the runtime's prefix and the closing brace, kept
   * exactly, and its parsed value. Only a tampered runtime sends something else.
   */
  const lastResult = (): { value: JsonValue; json: string } | { invalid: string } => {
    if (lastResultLine === undefined) return { value: null, json: 'null' };
    const line = lastResultLine;
    if (line[line.length - 1] !== 0x7d) return { invalid: 'malformed result message' };
    const json = line.subarray(RESULT_PREFIX.length, line.length - 1).toString('utf8');
    try {
      return { value: JSON.parse(json) as JsonValue, json };
    } catch {
      return { invalid: 'malformed result message' };
    }
  };

  const completed = (base: RunCapture): RunResult => {
    const r = lastResult();
    if ('invalid' in r) {
      return {
        ...base,
        status: 'error',
        cause: 'protocol',
        error: `sandbox protocol error: ${r.invalid}`,
      };
    }
    return { ...base, status: 'completed', result: r.value, resultJson: r.json };
  };

  /** Fields every result carries: the capture so far and the clock. */
  const captured = (): RunCapture => ({
    stdout: capture.bytes('stdout'),
    stderr: capture.bytes('stderr'),
    cut: capture.cut(),
    executionMs: Math.round(clock.runningMs()),
    llmWaitMs: Math.round(clock.waitedMs()),
    backend: ctx.backend,
    warm,
  });

  const finish = (code: number | null, signal: NodeJS.Signals | null): RunResult => {
    const base = captured();
    const verdict = classifyExit({
      code,
      signal,
      killReason,
      started,
      done,
      executionMs: base.executionMs,
      stderrTail: started ? '' : base.stderr.subarray(-8192).toString('utf8'),
      limits,
    });
    return verdict.status === 'completed' ? completed(base) : { ...base, ...verdict };
  };

  const memoryLimit = (): KillReason => ({
    kind: 'limit',
    limit: 'memory',
    error: `memory limit exceeded: the run's processes together used more than ${Math.round(limits.memoryBytes / 2 ** 20)} MiB`,
  });

  let cgroup: RunCgroup | undefined;
  let oomPoll: NodeJS.Timeout | undefined;
  /** Whether this run took a pooled sandbox. */
  let warm = false;

  const launch = async (): Promise<RunResult> => {
    const packages = spec.packages ?? ctx.defaultPackages;
    // A pooled sandbox of this run's shape, if one is ready: it only waits for the init below.
    const poolable =
      network.mode === 'none' || (network.mode === 'egress' && ctx.warm?.lateEgress === true);
    let warmed =
      poolable && !cancelRequested ? ctx.warm?.take(warmKey(limits, packages)) : undefined;
    if (warmed && network.mode === 'egress') {
      try {
        bindSlot(warmed.slot as string, network);
      } catch (e) {
        ctx.log(
          `warm pool: cannot bind a run's egress late (${e instanceof Error ? e.message : String(e)}); starting it cold`,
        );
        ctx.warm?.discardClaimed(warmed);
        warmed = undefined;
      }
    }
    const uid = warmed ? warmed.uid : ctx.pool ? await ctx.pool.acquire() : undefined;
    leasedUid = uid;
    warm = warmed !== undefined;
    try {
      if (cancelRequested) {
        killReason = { kind: 'cancelled' };
        return finish(null, null);
      }
      if (warmed) cgroup = warmed.cgroup;
      else if (ctx.cgroups) {
        try {
          cgroup = ctx.cgroups.create(cgroupName(uid), limits);
        } catch (e) {
          // Accounting is on for this host: a run it cannot account does not start.
          killReason = {
            kind: 'error',
            cause: 'startup',
            error: `sandbox failed to start: cannot create the run's cgroup (${e instanceof Error ? e.message : String(e)})`,
          };
          return finish(null, null);
        }
      }
      const init = `${JSON.stringify({
        t: 'init',
        script: spec.script,
        settings: spec.settings ?? {},
        limits: {
          cpuSeconds: limits.cpuSeconds,
          processes: limits.processes,
          fileSizeBytes: limits.fileSizeBytes,
          openFiles: limits.openFiles,
          memoryBytes: limits.memoryBytes,
          maxResultBytes: limits.maxResultBytes,
          maxResponseBytes: limits.maxResponseBytes,
          maxErrorBytes: limits.maxOutputBytes,
        },
        paths: ctx.insidePackages(packages),
        ...(network.mode === 'egress'
          ? {
              egress: {
                ...egressInit(ctx.backend, network.socket, warm),
                names: network.names ?? [],
                ...(network.trust === undefined
                  ? {}
                  : {
                      trust: ctx.backend === 'unconfined-dev' ? network.trust : INSIDE.trustBundle,
                    }),
              },
            }
          : {}),
      })}\n`;

      const code = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve) => {
          let spawned: Spawned;
          try {
            spawned =
              warmed?.spawned ??
              spawnSandbox(
                ctx.backend,
                ctx.binary,
                ctx.request(network, limits, uid, packages),
                cgroup,
                ctx.seccompPath,
              );
          } catch (e) {
            capture.note(String(e));
            resolve({ code: 127, signal: null });
            return;
          }
          const proc = spawned.proc;
          child = proc;
          spawned.joined.catch((e: unknown) =>
            kill({
              kind: 'error',
              cause: 'startup',
              error: `sandbox failed to start: cannot move the run into its cgroup (${e instanceof Error ? e.message : String(e)})`,
            }),
          );
          if (cgroup) {
            const gated = cgroup;
            oomPoll = setInterval(() => {
              if (gated.oomKills() > 0) kill(memoryLimit());
            }, OOM_POLL_MS);
          }
          clock.start();
          proc.on('error', (e) => {
            capture.note(`spawn failed: ${e.message}`);
          });
          const [, stdout, stderr, ch] = proc.stdio as unknown as [
            null,
            Readable,
            Readable,
            Socket,
          ];
          channel = ch;
          stdout.on('data', (c: Buffer) => onOutput('stdout', c));
          stderr.on('data', (c: Buffer) => onOutput('stderr', c));
          const splitter = new LineSplitter(
            Math.max(limits.maxResultBytes, limits.maxPromptBytes, limits.maxOutputBytes) + 65536,
          );
          ch.on('data', (c: Buffer) => {
            controlBytes += c.length;
            if (controlBytes > MAX_CONTROL_BYTES) return protocolError('too much control traffic');
            const lines = splitter.push(c);
            if (lines === null) return protocolError('control message too large');
            for (const l of lines) onMessage(l);
          });
          ch.on('error', () => {
            // EPIPE when the sandbox died before reading: the exit status tells what happened
          });
          ch.write(init);
          armRunTimer();
          if (cancelRequested) kill({ kind: 'cancelled' });
          emit({ type: 'running' });
          proc.on('close', (c, s) => resolve({ code: c, signal: s }));
        },
      );
      clearTimeout(runTimer);
      clearTimeout(llmTimer);
      clearTimeout(escalate);
      clearInterval(oomPoll);
      for (const t of sweeps) clearTimeout(t);
      // The kernel killed a process for the run's memory: that is the outcome, whatever the
      // rest of the run did next (a parent may well have survived its child).
      if (!killReason && cgroup && cgroup.oomKills() > 0) killReason = memoryLimit();
      const result = finish(code.code, code.signal);
      channel?.destroy();
      return result;
    } finally {
      clearInterval(oomPoll);
      if (uid !== undefined) await waitUntilGone(uid);
      // Every process is gone: the result is settled now. Removing the cgroup waits for the
      // kernel (10-20 ms: an RCU grace period), so it happens after, and the uid (which names
      // the cgroup) is leased again only once it is done.
      const held = cgroup;
      const slot = warmed?.slot;
      const cleanup = (async () => {
        if (held) await removeCgroup(held);
        if (slot !== undefined) await removeSlot(slot);
        if (uid !== undefined) ctx.pool?.release(uid);
        ctx.warm?.resourcesFreed();
      })();
      ctx.cleanups.add(cleanup);
      void cleanup.finally(() => ctx.cleanups.delete(cleanup));
    }
  };

  const result = launch()
    .catch(
      (e: unknown): RunResult => ({
        ...captured(),
        status: 'error',
        cause: 'startup',
        error: `sandbox failed: ${e instanceof Error ? e.message : String(e)}`,
      }),
    )
    .then((r) => {
      finished = true;
      state = 'finished';
      queue.close();
      return r;
    });

  return {
    events: queue,
    get state() {
      return state;
    },
    get uid() {
      return finished ? undefined : leasedUid;
    },
    respond,
    cancel: () => {
      cancelRequested = true;
      if (child) kill({ kind: 'cancelled' });
    },
    result,
  };
}

/**
 * Where the runtime finds the egress proxy and where it listens: inside a sandbox, the bound
 * socket (in its slot when pooled) and port 3128 of its own loopback; unconfined (development),
 * the host's socket and any free port.
 */
function egressInit(
  backend: BackendName,
  socket: string,
  pooled: boolean,
): { socket: string; port: number } {
  if (backend === 'unconfined-dev') return { socket, port: 0 };
  return { socket: pooled ? INSIDE.slotEgressSocket : INSIDE.egressSocket, port: EGRESS_PORT };
}

/** Removes a run's cgroup once the kernel has let go of its last process (teardown is async). */
export async function removeCgroup(cgroup: RunCgroup): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await cgroup.remove()) return;
    for (const p of cgroup.pids()) signal(p);
    await new Promise((r) => setTimeout(r, i < 10 ? 2 : 20));
  }
}
