/**
 * Where installed packages live, per scope: `shared` (every profile's scripts import it; the
 * admin installs there) and one per profile (only that profile's scripts import it). Each scope
 * is a symlink to its current generation, a complete directory: an install builds the next
 * generation (a copy of the current one plus pip's work), checks it, and only then swaps the
 * link (one rename): a failed, hostile or half install is never importable, and a run keeps the
 * generation it started with.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { join } from 'node:path';
import { SHARED_SCOPE } from '@airlock/db';
import type { InstallResult } from '@airlock/sandbox';
import type { Config } from '../../config.js';

/**
 * A generation no scope names any more is removed this long after it was replaced (its mtime is
 * set then): a run started before the swap may still use it.
 */
const GENERATION_GRACE_MS = 24 * 3_600_000;

type Dirs = Pick<Config, 'packagesDir' | 'dataDir'>;

const generationsDir = (c: Dirs) => join(c.dataDir, 'package-generations');
const profilesDir = (c: Dirs) => join(c.dataDir, 'profile-packages');

/** The link of a scope (what the sandbox binds). */
export function scopeLink(c: Dirs, scope: string): string {
  if (scope === SHARED_SCOPE) return c.packagesDir;
  if (!/^[0-9a-f-]{36}$/.test(scope)) throw new Error(`invalid package scope ${scope}`);
  return join(profilesDir(c), scope);
}

/**
 * The directories a profile's scripts import from, first wins: its own scope (when it has
 * one), then the shared one.
 */
export function importDirs(c: Dirs, profileId: string): string[] {
  const own = scopeLink(c, profileId);
  return [own, c.packagesDir].filter((d) => existsSync(d));
}

/** The directories of scopes and generations, readable by the scripts' uids. */
function ensureScopeDirs(c: Dirs): void {
  // The umask (077) trims mkdir's mode: scripts' uids must reach and read every generation.
  for (const d of [generationsDir(c), profilesDir(c)]) {
    mkdirSync(d, { recursive: true, mode: 0o755 });
    chmodSync(d, 0o755);
  }
}

/**
 * Removes generations no scope links to any more, once older than the grace period (a run
 * started before a swap may still use the previous one), and leftover staging copies.
 */
function sweepGenerations(c: Dirs, staging: boolean): void {
  const live = new Set<string>();
  const links = [c.packagesDir, ...readdirSync(profilesDir(c)).map((e) => join(profilesDir(c), e))];
  for (const link of links)
    if (existsSync(link) && lstatSync(link).isSymbolicLink()) live.add(readlinkSync(link));
  const now = Date.now();
  for (const g of readdirSync(generationsDir(c))) {
    const path = join(generationsDir(c), g);
    if (live.has(path)) continue;
    const isStaging = g.includes('.staging-');
    if (
      (isStaging && staging) ||
      (!isStaging && now - lstatSync(path).mtimeMs > GENERATION_GRACE_MS)
    )
      rmSync(path, { recursive: true, force: true });
  }
}

/**
 * At startup: every scope a link to a generation (a packages directory from before scopes
 * becomes the shared scope's first generation), and old unreferenced generations removed.
 */
export function prepareScopes(c: Dirs): void {
  ensureScopeDirs(c);
  if (!existsSync(c.packagesDir) || !lstatSync(c.packagesDir).isSymbolicLink()) {
    const first = join(generationsDir(c), `shared-${randomBytes(6).toString('hex')}`);
    if (existsSync(c.packagesDir)) renameSync(c.packagesDir, first);
    else mkdirSync(first, { mode: 0o755 });
    chmodSync(first, 0o755);
    symlinkSync(first, c.packagesDir);
  }
  // No install runs yet: a staging copy is what a crash left.
  sweepGenerations(c, true);
}

/**
 * Installs into the next generation of `scope`: a copy of the current one, given to `run`
 * (pip); swapped in only when `run` succeeds, else removed.
 */
export async function installInScope(
  c: Dirs,
  scope: string,
  run: (dir: string) => Promise<InstallResult>,
): Promise<InstallResult> {
  const link = scopeLink(c, scope);
  const name = `${scope === SHARED_SCOPE ? 'shared' : scope}-${randomBytes(6).toString('hex')}`;
  const next = join(generationsDir(c), `${name}.staging-`);
  ensureScopeDirs(c);
  const current = existsSync(link) ? readlinkSync(link) : undefined;
  try {
    if (current !== undefined && existsSync(current) && statSync(current).isDirectory()) {
      // Links are copied as links, never followed (the current generation passed the check).
      cpSync(current, next, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    } else mkdirSync(next, { mode: 0o755 });
    chmodSync(next, 0o755);
    const result = await run(next);
    if (!result.ok) {
      rmSync(next, { recursive: true, force: true });
      return result;
    }
    const final = join(generationsDir(c), name);
    renameSync(next, final);
    const tmpLink = `${link}.${randomBytes(6).toString('hex')}.new`;
    symlinkSync(final, tmpLink);
    renameSync(tmpLink, link); // the swap: atomic
    // The replaced generation's time says since when no scope names it: runs started before
    // the swap keep it for the grace period. Older ones go now (installs run one at a time).
    if (current !== undefined && existsSync(current)) utimesSync(current, new Date(), new Date());
    sweepGenerations(c, false);
    return result;
  } catch (e) {
    rmSync(next, { recursive: true, force: true });
    throw e;
  }
}

/** The generation a scope's link names (for listing what it holds). */
export function scopeDir(c: Dirs, scope: string): string | undefined {
  const link = scopeLink(c, scope);
  return existsSync(link) ? readlinkSync(link) : undefined;
}
