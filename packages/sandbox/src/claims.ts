import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Claims on what one process owns, so that another (a second Airlock on the host, a test run
 * beside another) never touches it: the host uids its sandboxes run as, or any resource named by
 * a file. A claim is a file naming its process (pid and kernel start time, so a reused pid is
 * not mistaken for it); a claim whose process is gone is stale and taken over. Kill a uid's
 * processes only once you hold its claim.
 */
export class ClaimError extends Error {
  override name = 'ClaimError';
}

/** Where uid claims live, machine-wide (root only: only root leases host uids). */
export const UID_CLAIM_DIR = '/run/airlock';

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
 * Claims a resource named by `file` for this process: `{ release }`, or `{ heldBy }` (the pid of
 * the live process that holds it; nothing is written then).
 *
 * @example
 * const c = claimFile('/data/private/server.lock');
 * if ('heldBy' in c) throw new Error(`in use by ${c.heldBy}`);
 */
export function claimFile(file: string): { release: () => void } | { heldBy: number } {
  const owner = readOwner(file);
  if (owner !== null && alive(owner)) return { heldBy: owner.pid };
  write(file);
  return {
    release: () => {
      if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
    },
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
 * Claims host uid ranges machine-wide (files in `lockDir`, one per range). Throws ClaimError
 * when a live process holds an overlapping range. Two servers starting at the
 * same moment both look again after writing their claim, so at most one of them proceeds.
 */
export function claimUids(lockDir: string, ranges: readonly UidRange[]): () => void {
  mkdirSync(lockDir, { recursive: true, mode: 0o755 });
  const refuse = (mine: UidRange, other: { range: UidRange; owner: Owner }) =>
    new ClaimError(
      `host uids ${mine.first}–${mine.end - 1} overlap those of another process (pid ${other.owner.pid}, uids ${other.range.first}–${other.range.end - 1}); give this one its own AIRLOCK_SANDBOX_UID_BASE (and AIRLOCK_SANDBOX_INSTALLER_UID)`,
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

/**
 * Claims a random free block of `count` host uids at or above `from` (tests, or a server told
 * to pick its own): tries random 128-aligned blocks until one has no live claim.
 *
 * @example
 * const { first, release } = claimFreeUids(128); // uids first … first + 127 are this process's
 */
export function claimFreeUids(
  count: number,
  options: { lockDir?: string; from?: number; blocks?: number } = {},
): { first: number; release: () => void } {
  const { lockDir = UID_CLAIM_DIR, from = 2_000_000, blocks = 100_000 } = options;
  const step = Math.max(128, count);
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = from + Math.floor(Math.random() * blocks) * step;
    try {
      return { first, release: claimUids(lockDir, [{ first, end: first + count }]) };
    } catch (err) {
      if (!(err instanceof ClaimError)) throw err;
    }
  }
  throw new ClaimError('no free block of host uids');
}
