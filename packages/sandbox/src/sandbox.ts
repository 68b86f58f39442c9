/** `createSandbox`: backend selection, defaults, the uid pool, and `check()`. */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { arch } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { type Bind, INSIDE, type LaunchRequest, RUNTIME_DIR, sandboxEnv } from './backends.js';
import { type Accounting, type CgroupHost, detectCgroups, type RunCgroup } from './cgroups.js';
import { type ConfinedBackend, detectBackend, which } from './detect.js';
import { killProcessesOf } from './procs.js';
import { cgroupName, type RunContext, removeCgroup, resolveLimits, startRun } from './runner.js';
import { type SeccompVariant, seccompFilterPath } from './seccomp-policy.js';
import { prepareSlot, removeSlot, slotBinds } from './slot.js';
import { spawnSandbox } from './spawn.js';
import type { BackendName, Limits, RunHandle, RunSpec, SandboxHealth } from './types.js';
import { DEFAULT_LIMITS } from './types.js';
import { UidPool } from './uid-pool.js';
import { WarmPool, type WarmPoolStats, warmKey } from './warm-pool.js';

const RUNTIME_FILE = 'airlock_runtime.py';

export interface SandboxOptions {
  /**
   * `auto` (default): nsjail when installed, else bubblewrap; throws when neither is.
   * `unconfined-dev`: NO confinement, for development only; logged loudly at creation.
   */
  backend?: ConfinedBackend | 'auto' | 'unconfined-dev';
  /** Interpreter (default Debian's `/usr/bin/python3`); must live under /usr when confined. */
  python?: string;
  /** Directory of installed packages, bound read-only and importable (see `installPackages`). */
  packagesDir?: string;
  /** First host uid of the pool leased to runs when running as root (default 60000). */
  uidBase?: number;
  /** Number of uids in the pool, i.e. the most concurrent runs (default 16; more wait). */
  poolSize?: number;
  /** Defaults for every run (each run may override). */
  limits?: Partial<Limits>;
  /** Apply the seccomp denylist (default: true where a filter exists for this architecture). */
  seccomp?: boolean;
  /** `pasta` binary for `{ mode: 'full' }` (default: found on PATH); false disables it. */
  pasta?: string | false;
  /**
   * Whole-run accounting (a cgroup per run bounding the memory and processes of all its
   * processes): `auto` (default) uses it where the host allows it, `off` never does (then the
   * fallback of ADR 0082 applies, as on hosts without writable cgroups).
   */
  accounting?: 'auto' | 'off';
  /** Largest script accepted by `run()`, bytes (default 1 MiB). */
  maxScriptBytes?: number;
  /**
   * The warm pool (default: none): `size` sandboxes started ahead of demand for runs with the
   * default packages and `limits` (the tmpfs, memory and process limits such runs use: a run
   * with others starts cold), without network, or with `egress` when `slotsDir` is given (a
   * directory on the filesystem of the runs' egress sockets, where each pooled sandbox keeps
   * the slot its run's socket and trust bundle are bound into: see slot.ts); drained after
   * `idleMs` (default 5 min) without a claim. Each holds a uid of `poolSize` while it waits:
   * size the pool for both.
   */
  warm?: { size: number; idleMs?: number; limits?: Partial<Limits>; slotsDir?: string };
  /** Where warnings go (default: console.warn). */
  log?: (message: string) => void;
}

/** A configured sandbox; runs are independent and may be concurrent. */
export interface Sandbox {
  readonly backend: BackendName;
  /** Host uids runs may use (empty when not running as root). */
  readonly uids: readonly number[];
  /** Whether runs are accounted as a whole (cgroups), or why not. */
  readonly accounting: Accounting;
  /** Runs a trivial script to prove the backend works; never throws. */
  check(): Promise<SandboxHealth>;
  /** Starts one run; throws only for an invalid spec. */
  run(spec: RunSpec): RunHandle;
  /**
   * SIGKILLs every process running as a pool uid; returns how many. Call once at startup,
   * before any run: a server killed while a sandbox was still starting can leave one behind
   * (die-with-parent only holds once the sandbox is set up).
   */
  killOrphans(): number;
  /**
   * Starts filling the warm pool (the first `run()` does too). Call after `killOrphans()`, which
   * would kill what it started.
   */
  warmUp(): void;
  /** The warm pool's state (undefined without one). */
  warmStats(): WarmPoolStats | undefined;
  /**
   * Kills the warm pool's sandboxes and removes what the sandbox keeps on the host between runs
   * (its cgroup directory). Call on shutdown, after the last run has settled; a run started
   * later is refused at startup.
   */
  close(): Promise<void>;
}

/**
 * Creates a sandbox. Throws `SandboxUnavailableError` (with the install command) when the
 * backend is missing, and a plain Error for other misconfiguration.
 *
 * @example
 * const sandbox = createSandbox({ backend: 'bwrap' });
 * const run = sandbox.run({ script: 'set_result(settings["TOKEN"][:3])', settings: { TOKEN: 'abc123' } });
 * const result = await run.result; // { status: 'completed', result: 'abc', stdout, stderr, ... }
 */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const log = options.log ?? ((m: string) => console.warn(m));
  const want = options.backend ?? 'auto';
  let backend: BackendName;
  let binary: string;
  if (want === 'unconfined-dev') {
    backend = 'unconfined-dev';
    binary = '';
    log(
      '!!! AIRLOCK SANDBOX IN UNCONFINED DEVELOPMENT MODE: scripts run with NO confinement ' +
        '(host filesystem, network, and uid). Never use this with real credentials. !!!',
    );
  } else {
    ({ backend, binary } = detectBackend(want));
  }

  const python = options.python ?? '/usr/bin/python3';
  if (!isAbsolute(python)) throw new Error(`sandbox python must be an absolute path: ${python}`);
  try {
    accessSync(python, constants.X_OK);
  } catch {
    throw new Error(`sandbox python ${python} is not executable`);
  }
  if (backend !== 'unconfined-dev' && !python.startsWith('/usr/')) {
    throw new Error(`sandbox python must live under /usr (only /usr is bound): ${python}`);
  }
  const packagesDir = options.packagesDir;
  if (packagesDir !== undefined) {
    if (!isAbsolute(packagesDir)) throw new Error(`packagesDir must be absolute: ${packagesDir}`);
    mkdirSync(packagesDir, { recursive: true, mode: 0o755 });
  }

  const isRoot = process.getuid?.() === 0;
  const pool =
    isRoot && backend !== 'unconfined-dev'
      ? new UidPool(options.uidBase ?? 60000, options.poolSize ?? 16)
      : undefined;

  // Runs as leased uids are accounted under a directory named after the (claimed) uid range.
  let cgroups: CgroupHost | undefined;
  let accounting: Accounting;
  if (backend === 'unconfined-dev') {
    accounting = { active: false, mechanism: 'none', detail: 'unconfined development mode' };
  } else if (options.accounting === 'off') {
    accounting = { active: false, mechanism: 'none', detail: 'turned off by configuration' };
  } else {
    const found = detectCgroups(pool ? String(pool.uids()[0]) : `pid${process.pid}`);
    if ('create' in found) cgroups = found;
    accounting = found.accounting;
    if (!accounting.active) log(`sandbox: no whole-run accounting: ${accounting.detail}`);
  }

  // Without whole-run accounting the filter also refuses SysV shared memory and memfds.
  const variant: SeccompVariant | undefined =
    options.seccomp === false || backend === 'unconfined-dev'
      ? undefined
      : accounting.active
        ? 'accounted'
        : 'unaccounted';
  let seccompPath: string | undefined;
  if (backend === 'bwrap' && variant !== undefined) {
    seccompPath = seccompFilterPath(variant);
    if (options.seccomp === true && !seccompPath) {
      throw new Error(`no seccomp filter committed for architecture ${arch()}`);
    }
  }

  const defaults = resolveLimits(DEFAULT_LIMITS, options.limits);
  // For `{ mode: 'full' }` (outbound without the host's loopback); absent → such runs fail.
  const pasta = options.pasta === false ? undefined : (options.pasta ?? which('pasta'));
  const confined = backend !== 'unconfined-dev';
  const runtimeFile = confined
    ? `${INSIDE.runtimeDir}/${RUNTIME_FILE}`
    : join(RUNTIME_DIR, RUNTIME_FILE);
  const defaultPackages = packagesDir === undefined ? [] : [packagesDir];
  /** Where each packages directory of a run appears inside, in import order. */
  const insidePackages = (dirs: readonly string[]) =>
    dirs.map((d, i) => (confined ? `${INSIDE.packagesDir}/${i}` : d));

  const request = (
    network: LaunchRequest['network'],
    limits: Limits,
    uid: number | undefined,
    packages: readonly string[] = defaultPackages,
    slot?: string,
  ): LaunchRequest => {
    const binds: Bind[] = [{ src: RUNTIME_DIR, dest: INSIDE.runtimeDir }];
    insidePackages(packages).forEach((dest, i) => {
      binds.push({ src: packages[i] as string, dest });
    });
    // Over the system bundle: every TLS client inside (curl, Debian's certifi) trusts it.
    if (confined && network.mode === 'egress' && network.trust !== undefined)
      binds.push({ src: network.trust, dest: INSIDE.trustBundle });
    if (slot !== undefined) binds.push(...slotBinds(slot));
    return {
      command: [python, '-I', '-B', runtimeFile],
      binds,
      network,
      limits,
      uid,
      gid: uid,
      seccompFd: undefined,
      seccompVariant: variant,
      env: sandboxEnv(),
      pasta,
    };
  };

  const warm =
    options.warm && options.warm.size > 0 && confined
      ? warmPool(options.warm, {
          defaults,
          defaultPackages,
          request,
          backend,
          binary,
          pool,
          cgroups,
          seccompPath,
          log,
        })
      : undefined;
  if (warm && pool) {
    pool.onShortage = () => warm.yieldOne();
    pool.onFree = () => warm.resourcesFreed();
  }

  const ctx = {
    backend,
    binary,
    request,
    defaultPackages,
    insidePackages,
    pool,
    cgroups,
    seccompPath,
    defaults,
    maxScriptBytes: options.maxScriptBytes ?? 1024 * 1024,
    warm,
    cleanups: new Set<Promise<void>>(),
    log,
  };

  return {
    backend,
    uids: pool?.uids() ?? [],
    accounting,
    run: (spec) => {
      warm?.start();
      return startRun(ctx, spec);
    },
    warmUp: () => warm?.start(),
    killOrphans: () => (pool ? killProcessesOf(pool.uids()) : 0),
    warmStats: () => warm?.stats(),
    close: async () => {
      await warm?.close();
      await Promise.all(ctx.cleanups);
      cgroups?.close();
    },
    async check(): Promise<SandboxHealth> {
      let version: string;
      if (backend === 'nsjail') {
        // nsjail has no --version (it prints 11 KB of usage instead): name the binary used.
        version = `nsjail (${binary})`;
      } else {
        try {
          const exe = backend === 'unconfined-dev' ? python : binary;
          version = execFileSync(exe, ['--version'], { encoding: 'utf8', timeout: 5000 }).trim();
        } catch (e) {
          version = `unknown (${e instanceof Error ? e.message : String(e)})`;
        }
      }
      const health = {
        backend,
        version,
        unconfined: !confined,
        seccomp: backend === 'nsjail' ? variant !== undefined : seccompPath !== undefined,
        networkFull: pasta !== undefined || !confined,
        accounting,
      };
      const r = await startRun(ctx, {
        script: 'set_result(6 * 7)',
        limits: { timeoutMs: 10_000 },
      }).result;
      if (r.status === 'completed' && r.result === 42) return { ...health, ok: true };
      return { ...health, ok: false, detail: r.status === 'completed' ? 'wrong result' : r.error };
    },
  };
}

/**
 * The warm pool of a sandbox: what it starts is a run's sandbox without network, with the
 * default packages and the pool's limits, holding a uid only if one is free at once.
 */
function warmPool(
  options: NonNullable<SandboxOptions['warm']>,
  s: {
    defaults: Limits;
    defaultPackages: readonly string[];
    request: RunContext['request'];
    backend: BackendName;
    binary: string;
    pool: UidPool | undefined;
    cgroups: CgroupHost | undefined;
    seccompPath: string | undefined;
    log: (message: string) => void;
  },
): WarmPool {
  const shape = resolveLimits(s.defaults, options.limits);
  // The runtime lowers rlimits to the run's own at init (never raises): start with room.
  const launchLimits: Limits = { ...shape, cpuSeconds: Math.max(shape.cpuSeconds, 24 * 3600) };
  const currentKey = () => warmKey(shape, s.defaultPackages);
  const { slotsDir } = options;
  // Without uids (not root) slots are told apart by a counter of this process.
  let launches = 0;
  return new WarmPool({
    size: options.size,
    idleMs: options.idleMs ?? 5 * 60_000,
    currentKey,
    lateEgress: slotsDir !== undefined,
    log: s.log,
    async launch() {
      const key = currentKey();
      const uid = s.pool ? s.pool.tryAcquire() : undefined;
      if (s.pool && uid === undefined) throw new Error('no uid free');
      launches++;
      const slot =
        slotsDir === undefined
          ? undefined
          : join(slotsDir, String(uid ?? `p${process.pid}.${launches}`));
      let cgroup: RunCgroup | undefined;
      try {
        if (slot !== undefined) prepareSlot(slot);
        cgroup = s.cgroups?.create(cgroupName(uid), shape);
        const spawned = spawnSandbox(
          s.backend,
          s.binary,
          s.request({ mode: 'none' }, launchLimits, uid, s.defaultPackages, slot),
          cgroup,
          s.seccompPath,
        );
        await spawned.joined;
        return { key, uid, cgroup, spawned, slot };
      } catch (e) {
        if (cgroup) await removeCgroup(cgroup);
        if (slot !== undefined) await removeSlot(slot);
        if (uid !== undefined) s.pool?.release(uid);
        throw e;
      }
    },
    async dispose(w) {
      if (w.cgroup) await removeCgroup(w.cgroup);
      if (w.slot !== undefined) await removeSlot(w.slot);
      if (w.uid !== undefined) s.pool?.release(w.uid);
    },
  });
}
