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
