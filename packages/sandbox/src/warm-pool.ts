/**
 * The warm pool: sandboxes started ahead of demand, each with the interpreter and the runtime
 * loaded and blocked on its control channel for one `init` (the script, the settings, the
 * limits: nothing of any run is in it before it is claimed). A claimed sandbox is the run's
 * alone and dies with it: never reused, so every execution gets a fresh process, `/tmp`, work
 * directory and namespaces. The pool refills in the background after each claim, drains when no
 * run has claimed one for `idleMs`, and is killed whole on `close()`.
 *
 * A pooled sandbox is started for one shape: the sandbox's default packages (as they resolve
 * when it starts: a swapped generation makes it stale), and the pool's tmpfs, memory and process
 * limits. It has no network until claimed; with slots (see slot.ts) a run with `egress` gets its
 * proxy socket and trust bundle bound then, so one pool serves every such policy. A run of
 * another shape (network `full` or `host`, its own packages, other limits) starts cold, as does
 * every run while the pool is empty.
 */
import { realpathSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { RunCgroup } from './cgroups.js';
import { signal, stopSandbox, waitUntilGone } from './procs.js';
import type { Spawned } from './spawn.js';
import type { Limits } from './types.js';

/** One sandbox waiting to be claimed. */
export interface WarmSandbox {
  key: string;
  uid: number | undefined;
  cgroup: RunCgroup | undefined;
  spawned: Spawned;
  /** Its late-bound slot (see slot.ts), when the pool serves runs with egress. */
  slot: string | undefined;
}

/** The launch-time shape of a sandbox: what must match for a run to take a pooled one. */
export function warmKey(
  limits: Pick<Limits, 'tmpfsBytes' | 'memoryBytes' | 'processes'>,
  packages: readonly string[],
): string {
  const real = packages.map((p) => {
    try {
      return realpathSync(p);
    } catch {
      return `missing:${p}`;
    }
  });
  return JSON.stringify([limits.tmpfsBytes, limits.memoryBytes, limits.processes, real]);
}

export interface WarmPoolOptions {
  /** Sandboxes kept ready. */
  size: number;
  /** No claim for this long: the pool drains (the next claim starts cold and refills it). */
  idleMs: number;
  /** The key of what the pool launches now (its packages may have moved on). */
  currentKey: () => string;
  /** Whether pooled sandboxes have slots: runs with egress may take one too. */
  lateEgress: boolean;
  /** Starts one pooled sandbox (uid, cgroup, process). */
  launch: () => Promise<WarmSandbox>;
  /** Frees what a discarded sandbox held (after its processes are gone). */
  dispose: (w: WarmSandbox) => Promise<void>;
  log?: (message: string) => void;
}

export interface WarmPoolStats {
  /** Ready to be claimed. */
  ready: number;
  /** Starting. */
  starting: number;
  size: number;
  launched: number;
  claimed: number;
  discarded: number;
}

export class WarmPool {
  readonly #ready: WarmSandbox[] = [];
  #starting = 0;
  /** The launch under way, if any (`close()` waits for it). */
  #launching: Promise<void> | undefined;
  #closed = false;
  #started = false;
  #lastClaim = Date.now();
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #stats = { launched: 0, claimed: 0, discarded: 0 };

  constructor(private readonly o: WarmPoolOptions) {}

  stats(): WarmPoolStats {
    return {
      ready: this.#ready.length,
      starting: this.#starting,
      size: this.o.size,
      ...this.#stats,
    };
  }

  /** Starts filling the pool (in the background); later calls do nothing. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#refill();
  }

  /**
   * A ready sandbox of this shape, now the caller's (its uid and cgroup too), or undefined:
   * start cold. Stale ones (another shape than the pool's current one) are discarded.
   */
  take(key: string): WarmSandbox | undefined {
    this.#lastClaim = Date.now();
    const current = this.o.currentKey();
    for (const w of this.#ready.filter((x) => x.key !== current)) this.#discard(w);
    const alive = (w: WarmSandbox) =>
      w.spawned.proc.exitCode === null && w.spawned.proc.signalCode === null;
    for (const w of this.#ready.filter((x) => !alive(x))) this.#discard(w);
    const i = key === current ? this.#ready.findIndex((w) => w.key === key) : -1;
    const w = i >= 0 ? this.#ready.splice(i, 1)[0] : undefined;
    if (w) this.#stats.claimed++;
    // Starting a sandbox forks this process (milliseconds of event loop): not on the path of
    // the run that claims one. While one is left, the refill waits for a run's end (see
    // resourcesFreed); an empty pool starts refilling at once, after this run's init is sent.
    if (!w || this.#ready.length === 0) setImmediate(() => this.#refill());
    return w;
  }

  /** Whether runs with egress may take a pooled sandbox (their network is bound late). */
  get lateEgress(): boolean {
    return this.o.lateEgress;
  }

  /** Ends a claimed sandbox its run could not use after all (it then starts cold). */
  discardClaimed(w: WarmSandbox): void {
    this.#stats.discarded++;
    void this.#kill(w);
  }

  /** A run ended, or a uid (or another resource a launch lacked) is free again: fill up if short. */
  resourcesFreed(): void {
    if (this.#starting === 0) setImmediate(() => this.#refill());
  }

  /** Gives one ready sandbox's resources back (a run is waiting for a uid it holds). */
  yieldOne(): void {
    const w = this.#ready[0];
    if (w) this.#discard(w);
  }

  /** Kills every pooled sandbox and stops refilling. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    await this.#launching;
    await Promise.all(this.#ready.splice(0).map((w) => this.#kill(w)));
  }

  /** Starts one more sandbox if the pool is short (one at a time: no burst of starts). */
  #refill(): void {
    if (!this.#started || this.#closed || this.#starting > 0 || this.#ready.length >= this.o.size) {
      this.#armIdle();
      return;
    }
    this.#starting++;
    this.#launching = this.o.launch().then(
      (w) => {
        this.#starting--;
        this.#stats.launched++;
        // A sandbox that dies while it waits (killed from outside) is not handed out.
        w.spawned.proc.once('exit', (code, sig) => {
          const at = this.#ready.indexOf(w);
          if (at < 0) return;
          this.#ready.splice(at, 1);
          this.o.log?.(`warm pool: a waiting sandbox exited (${sig ?? code}); replacing it`);
          void this.o.dispose(w).then(() => this.#refill());
        });
        if (this.#closed) return this.#kill(w);
        this.#ready.push(w);
        this.#refill();
      },
      (e: unknown) => {
        this.#starting--;
        // Cannot start one now (no uid free, say): runs start cold; tried again at the next
        // claim or when a uid frees up.
        this.o.log?.(`warm pool: a sandbox failed to start (${String(e)})`);
      },
    );
    this.#armIdle();
  }

  #armIdle(): void {
    clearTimeout(this.#idleTimer);
    if (this.#closed) return;
    this.#idleTimer = setTimeout(() => {
      if (Date.now() - this.#lastClaim >= this.o.idleMs) {
        for (const w of this.#ready.splice(0)) this.#discard(w);
      } else this.#armIdle();
    }, this.o.idleMs);
    this.#idleTimer.unref();
  }

  #discard(w: WarmSandbox): void {
    const at = this.#ready.indexOf(w);
    if (at >= 0) this.#ready.splice(at, 1);
    this.#stats.discarded++;
    void this.#kill(w);
  }

  async #kill(w: WarmSandbox): Promise<void> {
    const proc = w.spawned.proc;
    if (proc.exitCode === null && proc.signalCode === null) {
      const closed = new Promise<void>((r) => proc.once('close', () => r()));
      // The runtime waits for its init: closing the channel ends it cleanly (nothing is killed,
      // so nothing is left as a zombie); a sandbox that does not go within a second is stopped.
      (proc.stdio[3] as Duplex | null)?.destroy();
      const timer = setTimeout(() => {
        if (proc.pid !== undefined) stopSandbox(proc.pid);
      }, 1000);
      await closed;
      clearTimeout(timer);
    }
    if (w.uid !== undefined) {
      await waitUntilGone(w.uid);
      for (const p of w.cgroup?.pids() ?? []) signal(p);
    }
    await this.o.dispose(w);
  }
}
