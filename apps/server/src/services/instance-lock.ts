import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What one running Airlock owns, so that a second one (or a second copy on the same host) never
 * touches it: the data directory, and the host uids its sandboxes run as. Each claim is a file
 * naming this process (pid and kernel start time, so a reused pid is not mistaken for it);
 * a claim whose process is gone is stale and taken over. Startup cleanup (killing a previous
 * run's leftover sandboxes) happens only once both claims are held.
 */
export class InstanceLockError extends Error {
  override name = 'InstanceLockError';
}

export interface UidRange {
  first: number;
  /** Exclusive. */
  end: number;
}

interface Owner {
  pid: number;
  start: string;
}

/** The kernel's start time of a process (field 22 of /proc/<pid>/stat), or null if it is gone. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

const self = (): Owner => ({ pid: process.pid, start: startTimeOf(process.pid) ?? '' });

function readOwner(file: string): Owner | null {
  try {
    const [pid, start] = readFileSync(file, 'utf8').trim().split(' ');
    return { pid: Number(pid), start: start ?? '' };
  } catch {
    return null;
  }
}

/** Whether the claim's process is alive (and is the same process, not a reused pid). */
function alive(owner: Owner | null): boolean {
  if (owner === null || !Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  if (owner.pid === process.pid) return false;
  return startTimeOf(owner.pid) === owner.start;
}

function write(file: string): void {
  const o = self();
  writeFileSync(file, `${o.pid} ${o.start}\n`, { mode: 0o600 });
}

/**
 * Claims the data directory (`<private dir>/server.lock`). Throws InstanceLockError, touching
 * nothing, when another live Airlock holds it.
 */
export function claimDataDir(privateDir: string): () => void {
  const file = join(privateDir, 'server.lock');
  const owner = readOwner(file);
  if (owner !== null && alive(owner)) {
    throw new InstanceLockError(
      `another Airlock (pid ${owner.pid}) is using the data directory ${privateDir.replace(/\/private$/, '')}; stop it first, or give this one its own AIRLOCK_DATA_DIR`,
    );
  }
  write(file);
  return () => {
    if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
  };
}

const RANGE_FILE = /^uids-(\d+)-(\d+)\.lock$/;

function overlaps(a: UidRange, b: UidRange): boolean {
  return a.first < b.end && b.first < a.end;
}

function liveClaims(dir: string): { file: string; range: UidRange; owner: Owner }[] {
  const out: { file: string; range: UidRange; owner: Owner }[] = [];
  for (const name of readdirSync(dir)) {
    const m = RANGE_FILE.exec(name);
    if (!m) continue;
    const file = join(dir, name);
    const owner = readOwner(file);
    if (owner !== null && alive(owner)) {
      out.push({ file, range: { first: Number(m[1]), end: Number(m[2]) }, owner });
    } else if (owner?.pid !== process.pid) {
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  return out;
}

/**
 * Claims host uid ranges machine-wide (files in `lockDir`, one per range). Throws
 * InstanceLockError when a live Airlock holds an overlapping range. Two servers starting at the
 * same moment both look again after writing their claim, so at most one of them proceeds.
 */
export function claimUids(lockDir: string, ranges: readonly UidRange[]): () => void {
  mkdirSync(lockDir, { recursive: true, mode: 0o755 });
  const refuse = (mine: UidRange, other: { range: UidRange; owner: Owner }) =>
    new InstanceLockError(
      `host uids ${mine.first}–${mine.end - 1} overlap those of another Airlock (pid ${other.owner.pid}, uids ${other.range.first}–${other.range.end - 1}); give this one its own AIRLOCK_SANDBOX_UID_BASE (and AIRLOCK_SANDBOX_INSTALLER_UID)`,
    );
  const check = () => {
    const others = liveClaims(lockDir);
    for (const mine of ranges) {
      const other = others.find((o) => overlaps(o.range, mine));
      if (other) return refuse(mine, other);
    }
    return null;
  };
  const before = check();
  if (before) throw before;
  const files = ranges.map((r) => join(lockDir, `uids-${r.first}-${r.end}.lock`));
  for (const f of files) write(f);
  const release = () => {
    for (const f of files) if (readOwner(f)?.pid === process.pid) rmSync(f, { force: true });
  };
  const after = check();
  if (after) {
    release();
    throw after;
  }
  return release;
}
