/** Host-side process inspection: which processes run as given uids (for teardown and tests). */
import { readdirSync, readFileSync, statSync } from 'node:fs';

/** One process seen in /proc. */
export interface ProcInfo {
  pid: number;
  uid: number;
  /** `comm` (the short command name). */
  name: string;
  /** State letter from /proc/<pid>/stat (R, S, D, T, Z, ...). */
  state: string;
}

/**
 * Processes whose owner is one of `uids`. Zombies (dead, waiting for their parent to reap them,
 * holding no memory or files) are left out unless `includeZombies`.
 *
 * @example
 * const left = processesOf([60000, 60001]); // [] once every sandbox is gone
 */
export function processesOf(uids: Iterable<number>, includeZombies = false): ProcInfo[] {
  const want = new Set(uids);
  const found: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    let uid: number;
    try {
      uid = statSync(`/proc/${entry}`).uid;
    } catch {
      continue; // exited meanwhile
    }
    if (!want.has(uid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) S ...": comm may contain spaces and parentheses, so split at the last ')'.
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    const state = stat.slice(close + 2, close + 3);
    if (state === 'Z' && !includeZombies) continue;
    found.push({ pid, uid, name, state });
  }
  return found;
}

/**
 * The uids among `uids` with a process that is running or runnable (state R) now: a run whose
 * uid is absent is blocked (sleeping, waiting for the network or a child), computing nothing.
 * One pass over /proc for all of them.
 *
 * @example
 * runnableUids([60000, 60001]); // Set { 60001 } when only the second computes
 */
export function runnableUids(uids: Iterable<number>): Set<number> {
  const out = new Set<number>();
  for (const p of processesOf(uids)) if (p.state === 'R') out.add(p.uid);
  return out;
}

/**
 * SIGKILLs every process of `uids`; returns how many were signalled. For a server's startup
 * cleanup after a crash (no run can be in progress then).
 *
 * @example
 * killProcessesOf(sandbox.uids); // 0 when nothing was left behind
 */
export function killProcessesOf(uids: Iterable<number>): number {
  let n = 0;
  for (const p of processesOf(uids)) {
    try {
      process.kill(p.pid, 'SIGKILL');
      n++;
    } catch {
      // already gone
    }
  }
  return n;
}

/** SIGKILL, ignoring a process that is already gone. */
export function signal(pid: number, sig: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Launchers that may sit between the runner and the namespace's init. Debian's `pasta` is a
 * link to `passt`, which on CPUs with AVX2 execs `passt.avx2`: its process name is then that.
 */
const LAUNCHERS = new Set([
  'bwrap',
  'nsjail',
  'pasta',
  'pasta.avx2',
  'passt',
  'passt.avx2',
  'unshare',
  'setpriv',
]);

/**
 * Stops (`SIGSTOP`) or resumes (`SIGCONT`) every process of the given uid but the launchers
 * (bwrap, nsjail, pasta: they compute nothing, and must stay free to reap what dies under them).
 * Stopping repeats until no new process appears, so a fork racing the first pass is stopped too.
 * The uid must be one leased to a single run: every process with it belongs to that run.
 */
export function freezeUid(uid: number, frozen: boolean): void {
  const seen = new Set<number>();
  for (let pass = 0; pass < (frozen ? 4 : 1); pass++) {
    const fresh = processesOf([uid]).filter((p) => !seen.has(p.pid) && !LAUNCHERS.has(p.name));
    if (fresh.length === 0) break;
    for (const p of fresh) {
      seen.add(p.pid);
      signal(p.pid, frozen ? 'SIGSTOP' : 'SIGCONT');
    }
  }
}

/**
 * Walks down from the spawned process through launchers (pasta → bwrap) to the one whose child
 * is the namespace's init.
 */
export function innermostLauncher(pid: number): number {
  let cur = pid;
  for (let depth = 0; depth < 4; depth++) {
    const kids = childrenOf(cur);
    const only = kids.length === 1 ? kids[0] : undefined;
    if (only === undefined || !LAUNCHERS.has(commOf(only))) return cur;
    cur = only;
  }
  return cur;
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Direct children of a host process (every thread's list). */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const list = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (list) for (const c of list.split(' ')) found.push(Number(c));
    }
  } catch {
    // exited, or no /proc children support: the caller falls back to killing `pid`
  }
  return found;
}

/**
 * Stops a sandbox started as `pid` (a launcher such as bwrap, or pasta in front of it): SIGKILLs
 * the namespace's init first, so the launcher reaps it and nothing is orphaned as a zombie, then
 * the launcher itself if it is still there a second later. Returns that escalation timer.
 *
 * @example
 * const timer = stopSandbox(child.pid); // clearTimeout(timer) once the child has closed
 */
export function stopSandbox(pid: number): NodeJS.Timeout | undefined {
  const inner = childrenOf(innermostLauncher(pid));
  for (const c of inner) signal(c);
  // No init yet (the backend is still setting up): killing the backend now would orphan the init
  // it is about to fork (its die-with-parent may not be armed yet). The caller sweeps the run's
  // uid instead; the backend goes a second later if it lingers.
  return setTimeout(() => signal(pid), 1000);
}

/**
 * Waits until no process of `uid` is left (the namespace's teardown is asynchronous after a
 * kill), SIGKILLing stragglers after a grace period, so a uid is never reused while busy.
 *
 * @example
 * await waitUntilGone(60003); // resolves at once when nothing runs as 60003
 */
export async function waitUntilGone(uid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (processesOf([uid]).length === 0) return;
    if (i === 50) killProcessesOf([uid]);
    await new Promise((r) => setTimeout(r, i < 10 ? 2 : 20));
  }
}
