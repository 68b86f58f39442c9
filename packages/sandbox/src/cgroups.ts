/**
 * Whole-run accounting with cgroups: every process of a run (forked children, threads, the
 * launchers) and every page it makes the kernel hold (anonymous memory, SysV shared memory,
 * memfds, tmpfs files) is charged to one cgroup per run, limited to the run's `memoryBytes` and
 * `processes`. cgroup v2 where the memory and pids controllers can be delegated to the server's
 * own cgroup; else v1's `memory` and `pids` hierarchies where they are writable (as on hosts
 * that mount v1 controllers); else none, and the caller applies the fallback (see ADR 0082).
 *
 * Every run cgroup lives under a directory named after the instance's claimed uid range
 * (`airlock.<uidBase>`), below the server's own cgroup, so the host's limits on the server
 * still bound its runs and two instances on one host never touch each other's cgroups.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { rmdir as rmdirAsync, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Whether a run is accounted as a whole, and how (reported by `/health` and the overview). */
export type Accounting =
  | { active: true; mechanism: 'cgroup-v2' | 'cgroup-v1'; detail: string }
  | { active: false; mechanism: 'none'; detail: string };

/** Limits a run cgroup enforces. */
export interface CgroupLimits {
  memoryBytes: number;
  processes: number;
}

/** One run's cgroup (or pair of v1 cgroups). */
export interface RunCgroup {
  /**
   * Moves a process (and so everything it starts afterwards) into the run's cgroup. Async: the
   * kernel makes each move wait for an RCU grace period (5-40 ms here), which must not block
   * the event loop.
   */
  join(pid: number): Promise<void>;
  /** How many processes the kernel's OOM killer killed in this run so far. */
  oomKills(): number;
  /** Processes in the run's cgroup now. */
  pids(): number[];
  /**
   * Removes the cgroup once its processes are gone; false if it is still busy. Asynchronous:
   * the kernel's rmdir waits out an RCU grace period (10-20 ms), which must not stall the
   * event loop once per run.
   */
  remove(): Promise<boolean>;
}

/** A host on which whole-run accounting is active. */
export interface CgroupHost {
  readonly accounting: Accounting & { active: true };
  /** Creates (or, after a crash, reuses) the cgroup of run `name` with these limits. */
  create(name: string, limits: CgroupLimits): RunCgroup;
  /** Removes the instance's directory once no run is left; false if one still is. */
  close(): boolean;
}

/** Where the cgroup hierarchies are, as this process sees them (parsed from /proc). */
export interface CgroupLayout {
  /** cgroup2 mount point, if mounted. */
  v2Mount?: string;
  /** The server's path in the v2 hierarchy ("/…"). */
  v2Path?: string;
  /** v1 hierarchies by controller: mount point and the server's path in it. */
  v1: Record<string, { mount: string; path: string }>;
}

/** The leaf this server moves itself into on cgroup v2 (see v2Host). */
const SERVER_LEAF = 'airlock.server';

/** Extra headroom in pids.max for the launchers (sh gate, pasta, bwrap) on top of `processes`. */
const LAUNCHER_PIDS = 4;

/**
 * Reads the cgroup layout from `/proc/self/mountinfo` and `/proc/self/cgroup`.
 *
 * @example
 * parseCgroupLayout('... - cgroup2 cgroup2 rw', '0::/init.scope'); // { v2Mount: …, v2Path: '/init.scope', v1: {} }
 */
export function parseCgroupLayout(mountinfo: string, selfCgroup: string): CgroupLayout {
  const paths = new Map<string, string>(); // controller list ('' for v2) → path
  for (const line of selfCgroup.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, controllers, path] = m as unknown as [string, string, string, string];
    if (id === '0' && controllers === '') paths.set('', path);
    else for (const c of controllers.split(',')) if (c) paths.set(c, path);
  }
  const layout: CgroupLayout = { v1: {} };
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    const root = unescapeMount(left[3] ?? '/');
    const mount = unescapeMount(left[4] ?? '');
    if (fstype === 'cgroup2') {
      const path = paths.get('');
      if (path !== undefined && layout.v2Mount === undefined) {
        layout.v2Mount = mount;
        layout.v2Path = relativeTo(path, root);
      }
    } else if (fstype === 'cgroup') {
      for (const opt of superOpts.split(',')) {
        const path = paths.get(opt);
        if (path !== undefined && (opt === 'memory' || opt === 'pids') && !layout.v1[opt]) {
          layout.v1[opt] = { mount, path: relativeTo(path, root) };
        }
      }
    }
  }
  return layout;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** A cgroup path as seen below a mount whose root is `root` (bind mounts, cgroup namespaces). */
function relativeTo(path: string, root: string): string {
  if (root === '/' || root === '') return path;
  if (path === root) return '/';
  return path.startsWith(`${root}/`) ? path.slice(root.length) : path;
}

const read = (file: string) => readFileSync(file, 'utf8');
const write = (file: string, value: string) => writeFileSync(file, value);

/** `key N` from a flat-keyed cgroup file (memory.events, memory.oom_control, pids.events). */
function counter(file: string, key: string): number {
  try {
    for (const line of read(file).split('\n')) {
      const [k, v] = line.split(' ');
      if (k === key) return Number(v) || 0;
    }
  } catch {
    // the cgroup is gone: nothing more happened in it
  }
  return 0;
}

function pidsIn(dir: string): number[] {
  try {
    return read(join(dir, 'cgroup.procs')).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

function tryRmdir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** {@link tryRmdir} off the event loop. */
async function rmdirLater(dir: string): Promise<boolean> {
  try {
    await rmdirAsync(dir);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Removes the empty `airlock.*` instance directories next to `dir` that instances killed
 * without `close()` left behind. The kernel refuses to remove a cgroup that has children or
 * processes, so an instance in use is never touched (one racing its first run recreates its
 * directory: see `create`).
 */
function removeEmptySiblings(parent: string): void {
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return;
  }
  for (const e of entries)
    if (e.startsWith('airlock.') && e !== SERVER_LEAF) tryRmdir(join(parent, e));
}

/** Removes run cgroups a crashed instance left under `dir` (their processes are killed first). */
function removeStale(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) if (e.startsWith('run.')) tryRmdir(join(dir, e));
}

function removeInstance(dir: string): boolean {
  removeStale(dir);
  return tryRmdir(dir);
}

function v2Host(mount: string, serverPath: string, tag: string): CgroupHost | string {
  // After a restart the server already sits in its leaf: its parent is the delegated cgroup.
  const selfPath = serverPath.endsWith(`/${SERVER_LEAF}`)
    ? serverPath.slice(0, -SERVER_LEAF.length - 1) || '/'
    : serverPath;
  const self = join(mount, selfPath);
  let available: string[];
  try {
    available = read(join(self, 'cgroup.controllers')).trim().split(' ');
  } catch (e) {
    return `cgroup v2: ${(e as Error).message}`;
  }
  for (const c of ['memory', 'pids'])
    if (!available.includes(c)) return `cgroup v2: the ${c} controller is not available here`;
  const enable = () => write(join(self, 'cgroup.subtree_control'), '+memory +pids');
  try {
    enable();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EBUSY') {
      return `cgroup v2: cannot delegate controllers (${(e as Error).message})`;
    }
    // "No internal processes": a cgroup with processes cannot give controllers to children.
    // Move the processes of the server's own cgroup (the server, and in a container its init)
    // into a leaf, then delegate.
    try {
      const leaf = join(self, SERVER_LEAF);
      ensureDir(leaf);
      for (const pid of pidsIn(self)) write(join(leaf, 'cgroup.procs'), String(pid));
      enable();
    } catch (e2) {
      return `cgroup v2: controllers cannot be delegated from the server's cgroup ${selfPath} (${(e2 as Error).message}); run the server in a cgroup of its own`;
    }
  }
  removeEmptySiblings(self);
  const base = join(self, `airlock.${tag}`);
  const prepare = () => {
    ensureDir(base);
    write(join(base, 'cgroup.subtree_control'), '+memory +pids');
  };
  try {
    prepare();
  } catch (e) {
    return `cgroup v2: ${(e as Error).message}`;
  }
  removeStale(base);
  return {
    accounting: { active: true, mechanism: 'cgroup-v2', detail: base },
    create(name, limits) {
      const dir = join(base, `run.${name}`);
      if (!existsSync(join(base, 'cgroup.subtree_control'))) prepare();
      ensureDir(dir);
      write(join(dir, 'memory.max'), String(limits.memoryBytes));
      if (existsSync(join(dir, 'memory.swap.max'))) write(join(dir, 'memory.swap.max'), '0');
      write(join(dir, 'pids.max'), String(limits.processes + LAUNCHER_PIDS));
      return {
        join: (pid) => writeFile(join(dir, 'cgroup.procs'), String(pid)),
        oomKills: () => counter(join(dir, 'memory.events'), 'oom_kill'),
        pids: () => pidsIn(dir),
        remove: () => rmdirLater(dir),
      };
    },
    close: () => removeInstance(base),
  };
}

function v1Host(
  memory: { mount: string; path: string },
  pids: { mount: string; path: string },
  tag: string,
): CgroupHost | string {
  const memBase = join(memory.mount, memory.path, `airlock.${tag}`);
  const pidsBase = join(pids.mount, pids.path, `airlock.${tag}`);
  removeEmptySiblings(join(memory.mount, memory.path));
  removeEmptySiblings(join(pids.mount, pids.path));
  try {
    ensureDir(memBase);
    ensureDir(pidsBase);
    // Probe that limits can be set (a read-only cgroupfs lets mkdir fail, but be thorough).
    const probe = join(memBase, 'run.probe');
    ensureDir(probe);
    write(join(probe, 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
    tryRmdir(probe);
  } catch (e) {
    return `cgroup v1: ${(e as Error).message}`;
  }
  removeStale(memBase);
  removeStale(pidsBase);
  return {
    accounting: {
      active: true,
      mechanism: 'cgroup-v1',
      detail: `${memBase} and ${pidsBase}`,
    },
    create(name, limits) {
      const mem = join(memBase, `run.${name}`);
      const pid = join(pidsBase, `run.${name}`);
      ensureDir(mem);
      ensureDir(pid);
      // memsw (memory + swap) must be raised after and lowered before the memory limit.
      const memsw = join(mem, 'memory.memsw.limit_in_bytes');
      const hasMemsw = existsSync(memsw);
      const value = String(limits.memoryBytes);
      try {
        write(join(mem, 'memory.limit_in_bytes'), value);
        if (hasMemsw) write(memsw, value);
      } catch {
        // A reused cgroup with a larger memsw than the new limit: memsw first, then memory.
        if (hasMemsw) write(memsw, value);
        write(join(mem, 'memory.limit_in_bytes'), value);
      }
      write(join(pid, 'pids.max'), String(limits.processes + LAUNCHER_PIDS));
      return {
        // Both at once: the two grace periods overlap.
        join: async (p) => {
          await Promise.all([mem, pid].map((d) => writeFile(join(d, 'cgroup.procs'), String(p))));
        },
        oomKills: () => counter(join(mem, 'memory.oom_control'), 'oom_kill'),
        pids: () => [...new Set([...pidsIn(mem), ...pidsIn(pid)])],
        remove: async () => (await rmdirLater(mem)) && rmdirLater(pid),
      };
    },
    close: () => [removeInstance(memBase), removeInstance(pidsBase)].every(Boolean),
  };
}

/**
 * Finds whole-run accounting on this host: cgroup v2 first, then v1, else the reason there is
 * none (never throws). `tag` names this instance's directory (its claimed uid base).
 *
 * @example
 * const host = detectCgroups('60000');
 * if ('create' in host) host.create('60003', { memoryBytes: 1 << 30, processes: 64 });
 */
export function detectCgroups(
  tag: string,
  layout: CgroupLayout = readLayout(),
): CgroupHost | { accounting: Accounting & { active: false } } {
  const reasons: string[] = [];
  if (layout.v2Mount !== undefined && layout.v2Path !== undefined) {
    const host = v2Host(layout.v2Mount, layout.v2Path, tag);
    if (typeof host !== 'string') return host;
    reasons.push(host);
  }
  const { memory, pids } = layout.v1;
  if (memory && pids) {
    const host = v1Host(memory, pids, tag);
    if (typeof host !== 'string') return host;
    reasons.push(host);
  } else if (memory || pids) {
    reasons.push(`cgroup v1: the ${memory ? 'pids' : 'memory'} hierarchy is not mounted`);
  }
  if (reasons.length === 0) reasons.push('no cgroup hierarchy with memory and pids controllers');
  return { accounting: { active: false, mechanism: 'none', detail: reasons.join('; ') } };
}

function readLayout(): CgroupLayout {
  try {
    return parseCgroupLayout(read('/proc/self/mountinfo'), read('/proc/self/cgroup'));
  } catch {
    return { v1: {} };
  }
}
