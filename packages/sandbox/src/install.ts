/**
 * Package installs (`/requirements`): pip run confined (network allowed, only the packages
 * directory writable) into a `--target` directory that scripts then import from read-only.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  constants as fsConstants,
  fstatSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  statSync,
} from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { type Bind, EGRESS_PORT, INSIDE, launchPlan, RUNTIME_DIR, sandboxEnv } from './backends.js';
import { type ConfinedBackend, detectBackend } from './detect.js';
import { stopSandbox, waitUntilGone } from './procs.js';
import { seccompFilterPath } from './seccomp-policy.js';
import type { NetworkPolicy } from './types.js';

export interface InstallOptions {
  /** Persistent directory of installed packages (created 0755 if missing). */
  packagesDir: string;
  /** Requirement specs: `name`, `name[extra]`, `name==1.2`, `name>=1,<2` (nothing else). */
  packages: string[];
  /** Package index (http/https URL); pip's default index when omitted. */
  indexUrl?: string;
  /** Extra wheel source: an absolute local directory (bound read-only) or an http(s) URL. */
  findLinks?: string;
  /** Use no index at all (only `findLinks`). */
  noIndex?: boolean;
  /**
   * Build source distributions with the system's setuptools/wheel (Debian's python3-setuptools)
   * instead of fetching build dependencies: for offline installs. Builds still run confined.
   */
  noBuildIsolation?: boolean;
  /** Whole install timeout, ms (default 5 minutes). */
  timeoutMs?: number;
  /**
   * Default: `full` (pip needs the index), `none` with `noIndex` and a local `findLinks`.
   * `egress`: the sandbox's one way out is that proxy socket (pip goes through the runtime's
   * relay), as scripts' do; the caller's proxy allows only the package sources.
   */
  network?: NetworkPolicy;
  backend?: ConfinedBackend | 'auto';
  python?: string;
  /** Host uid that owns the packages dir and runs pip when called as root (default 59999). */
  installerUid?: number;
  /** Captured installer output, bytes (default 1 MiB). */
  maxOutputBytes?: number;
  /** Size of the installer's private /tmp, bytes (default 1 GiB). */
  tmpfsBytes?: number;
  /** What the packages directory may hold after the install (default `DEFAULT_TREE_LIMITS`). */
  treeLimits?: TreeLimits;
}

export interface InstalledPackage {
  name: string;
  version: string;
}

export type InstallResult =
  | { ok: true; installed: InstalledPackage[]; output: string }
  | {
      ok: false;
      /** `rejected`: pip succeeded but left what the tree check refuses (see `inspectTree`). */
      reason: 'invalid' | 'failed' | 'timeout' | 'rejected';
      error: string;
      output: string;
    };

const OP = '(?:===|==|~=|!=|<=|>=|<|>)';
const VERSION = '[A-Za-z0-9.*+!_-]+';
const NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9])?';
const EXTRAS = `\\[${NAME}(?:,${NAME})*\\]`;
/**
 * One requirement: a PEP 508 name, optional extras, optional version constraints. No spaces,
 * URLs, paths, markers or options: it always starts with a letter or digit, so pip can never
 * read it as an option such as `--index-url`.
 */
export const PACKAGE_SPEC = new RegExp(
  `^${NAME}(?:${EXTRAS})?(?:${OP}${VERSION}(?:,${OP}${VERSION})*)?$`,
);

const MAX_PACKAGES = 100;

/**
 * Checks requirement specs before anything runs; returns the first problem, or undefined.
 *
 * @example
 * validatePackageSpecs(['requests==2.31.0']); // undefined
 * validatePackageSpecs(['--index-url=http://evil']); // 'invalid package spec "--index-url=http://evil"'
 */
export function validatePackageSpecs(packages: readonly unknown[]): string | undefined {
  if (!Array.isArray(packages) || packages.length === 0) return 'no packages given';
  if (packages.length > MAX_PACKAGES) return `too many packages (at most ${MAX_PACKAGES})`;
  for (const p of packages) {
    if (typeof p !== 'string' || p.length > 200 || !PACKAGE_SPEC.test(p)) {
      return `invalid package spec ${JSON.stringify(String(p).slice(0, 200))}`;
    }
  }
  return undefined;
}

function validUrl(u: string): boolean {
  if (/\s/.test(u) || u.startsWith('-')) return false;
  try {
    const url = new URL(u);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Installed distributions in a packages directory (from each `*.dist-info/METADATA`).
 *
 * @example
 * listInstalled('/var/lib/airlock-packages'); // [{ name: 'requests', version: '2.31.0' }]
 */
export function listInstalled(packagesDir: string): InstalledPackage[] {
  if (!existsSync(packagesDir)) return [];
  const found: InstalledPackage[] = [];
  for (const entry of readdirSync(packagesDir)) {
    // Wheels leave `.dist-info/METADATA`; Debian's packages often `.egg-info/PKG-INFO`.
    const file = entry.endsWith('.dist-info')
      ? join(entry, 'METADATA')
      : entry.endsWith('.egg-info')
        ? join(entry, 'PKG-INFO')
        : undefined;
    if (file === undefined) continue;
    const meta = readSmallFile(join(packagesDir, file));
    if (meta === undefined) continue;
    const header = meta.split(/\r?\n\r?\n/, 1)[0] ?? '';
    const field = (n: string) =>
      header
        .split(/\r?\n/)
        .find((l) => l.toLowerCase().startsWith(`${n.toLowerCase()}:`))
        ?.slice(n.length + 1)
        .trim();
    const name = field('Name');
    const version = field('Version');
    if (name && version) found.push({ name, version });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** Most of a METADATA file read back (its header is at the start). */
const MAX_METADATA_BYTES = 256 * 1024;

/**
 * The start of a regular file, never following a link or blocking on a FIFO (hostile trees).
 */
function readSmallFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.alloc(MAX_METADATA_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Directories 0755 and files at least 0644 (executables keep their x bits), so every script uid
 * can import what was installed; also repairs trees installed under a restrictive umask.
 */
function makeReadable(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  const mode = st.mode & 0o7777;
  const want = st.isDirectory() ? mode | 0o755 : mode | 0o644 | (mode & 0o100 ? 0o011 : 0);
  if (want !== mode) chmodSync(path, want);
  if (st.isDirectory()) for (const e of readdirSync(path)) makeReadable(join(path, e));
}

function chownTree(path: string, uid: number): void {
  const st = lstatSync(path);
  // Never through a symlink: a link left by a hostile package could name any host file.
  if (st.isSymbolicLink()) {
    if (st.uid !== uid || st.gid !== uid) lchownSync(path, uid, uid);
    return;
  }
  if (st.uid !== uid || st.gid !== uid) chownSync(path, uid, uid);
  if (st.isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid);
}

/** Bounds on what an install may leave behind. */
export interface TreeLimits {
  /** Bytes of all regular files together (apparent sizes: a sparse file counts whole). */
  maxBytes: number;
  /** Files, directories and links together. */
  maxEntries: number;
}

export const DEFAULT_TREE_LIMITS: Readonly<TreeLimits> = Object.freeze({
  maxBytes: 4 * 1024 ** 3,
  maxEntries: 500_000,
});

/**
 * Checks an installed tree as hostile input, without following anything: only directories,
 * regular files and symlinks that stay inside the tree; within the size and entry bounds.
 * Returns the first problem, or undefined.
 *
 * @example
 * inspectTree('/var/lib/airlock/packages/gen-1'); // undefined, or 'a FIFO at pkg/pipe'
 */
export function inspectTree(
  root: string,
  limits: TreeLimits = DEFAULT_TREE_LIMITS,
): string | undefined {
  let bytes = 0;
  let entries = 0;
  const stack = [''];
  while (stack.length > 0) {
    const rel = stack.pop() as string;
    let names: string[];
    try {
      names = readdirSync(join(root, rel));
    } catch (e) {
      return `unreadable directory ${rel || '.'} (${(e as NodeJS.ErrnoException).code})`;
    }
    for (const name of names) {
      const relPath = rel ? `${rel}/${name}` : name;
      if (++entries > limits.maxEntries) return `more than ${limits.maxEntries} files`;
      const st = lstatSync(join(root, relPath));
      if (st.isDirectory()) stack.push(relPath);
      else if (st.isFile()) {
        bytes += st.size;
        if (bytes > limits.maxBytes) return `more than ${limits.maxBytes} bytes installed`;
      } else if (st.isSymbolicLink()) {
        const target = readlinkSync(join(root, relPath));
        const resolved = normalize(join(dirname(relPath), target));
        if (isAbsolute(target) || resolved === '..' || resolved.startsWith('../'))
          return `a symlink out of the packages directory at ${relPath}`;
      } else {
        const kind = st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device';
        return `${kind} at ${relPath}`;
      }
    }
  }
  return undefined;
}

/**
 * Installs packages with pip, confined: the packages dir is the only writable host path, the
 * run is a fresh sandbox with its own /tmp, and it is killed at the timeout. Returns the
 * installed list, or the installer's output on failure; never throws for bad input.
 *
 * @example
 * const r = await installPackages({ packagesDir: '/var/lib/airlock-packages', packages: ['requests==2.31.0'] });
 * if (!r.ok) console.error(r.error, r.output);
 */
export async function installPackages(options: InstallOptions): Promise<InstallResult> {
  const invalid = (error: string): InstallResult => ({
    ok: false,
    reason: 'invalid',
    error,
    output: '',
  });
  const problem = validatePackageSpecs(options.packages);
  if (problem) return invalid(problem);
  if (!isAbsolute(options.packagesDir)) return invalid('packagesDir must be an absolute path');
  if (options.indexUrl !== undefined && !validUrl(options.indexUrl)) {
    return invalid('indexUrl must be an http(s) URL');
  }
  const binds: Bind[] = [{ src: options.packagesDir, dest: INSIDE.packagesDir, writable: true }];
  let findLinks: string | undefined;
  if (options.findLinks !== undefined) {
    if (isAbsolute(options.findLinks)) {
      if (!existsSync(options.findLinks) || !statSync(options.findLinks).isDirectory()) {
        return invalid('findLinks directory does not exist');
      }
      binds.push({ src: options.findLinks, dest: '/airlock/find-links' });
      findLinks = '/airlock/find-links';
    } else if (validUrl(options.findLinks)) {
      findLinks = options.findLinks;
    } else {
      return invalid('findLinks must be an absolute directory or an http(s) URL');
    }
  }

  const { backend, binary } = detectBackend(options.backend ?? 'bwrap');
  const python = options.python ?? '/usr/bin/python3';
  mkdirSync(options.packagesDir, { recursive: true, mode: 0o755 });
  const isRoot = process.getuid?.() === 0;
  const uid = isRoot ? (options.installerUid ?? 59999) : undefined;
  // The installer uid owns the directory so pip can write it; scripts get it read-only.
  if (uid !== undefined) chownTree(options.packagesDir, uid);

  const localOnly =
    options.noIndex === true && (findLinks === undefined || findLinks.startsWith('/'));
  const network: NetworkPolicy = options.network ?? { mode: localOnly ? 'none' : 'full' };
  const viaEgress = network.mode === 'egress';
  if (viaEgress) binds.push({ src: RUNTIME_DIR, dest: INSIDE.runtimeDir });
  const launcher = viaEgress
    ? ['-I', `${INSIDE.runtimeDir}/airlock_pip.py`, INSIDE.egressSocket, String(EGRESS_PORT)]
    : ['-I', '-m', 'pip'];
  const args = [
    ...launcher,
    'install',
    '--target',
    INSIDE.packagesDir,
    '--upgrade',
    '--no-cache-dir',
    '--disable-pip-version-check',
    '--no-input',
    '--prefer-binary',
  ];
  if (options.noIndex) args.push('--no-index');
  if (options.noBuildIsolation) args.push('--no-build-isolation');
  if (options.indexUrl !== undefined) args.push('--index-url', options.indexUrl);
  if (findLinks !== undefined) args.push('--find-links', findLinks);
  // `--` ends pip's options: the validated specs can only ever be requirements.
  args.push('--', ...options.packages);

  // The same seccomp denylist as scripts get: bwrap's blob as the child's fd 3, nsjail's policy.
  const seccompPath = backend === 'bwrap' ? seccompFilterPath() : undefined;
  const plan = launchPlan(backend, binary, {
    command: [python, ...args],
    binds,
    network,
    limits: { tmpfsBytes: options.tmpfsBytes ?? 2 ** 30, processes: 256 },
    uid,
    gid: uid,
    seccompFd: seccompPath === undefined ? undefined : 3,
    seccompVariant: 'accounted',
    env: { ...sandboxEnv(), HOME: INSIDE.tmpDir },
  });

  const maxOut = options.maxOutputBytes ?? 2 ** 20;
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  const chunks: Buffer[] = [];
  let size = 0;
  const { code, timedOut } = await new Promise<{ code: number | null; timedOut: boolean }>(
    (resolve) => {
      const seccompFd = seccompPath === undefined ? undefined : openSync(seccompPath, 'r');
      // Installed files must be readable by the scripts' uids whatever the caller's umask (a
      // server running with umask 077 would otherwise install unreadable packages). The child
      // inherits the umask at spawn, which is synchronous: restore it right after.
      const previousUmask = process.umask(0o022);
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn(plan.file, plan.args, {
          env: plan.env,
          stdio:
            seccompFd === undefined
              ? ['ignore', 'pipe', 'pipe']
              : ['ignore', 'pipe', 'pipe', seccompFd],
          ...(plan.uid !== undefined ? { uid: plan.uid, gid: plan.gid ?? plan.uid } : {}),
        });
      } finally {
        process.umask(previousUmask);
      }
      if (seccompFd !== undefined) closeSync(seccompFd);
      let timedOut = false;
      let escalate: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) escalate = stopSandbox(child.pid);
      }, timeoutMs);
      const take = (c: Buffer) => {
        if (size >= maxOut) return;
        const kept = c.subarray(0, maxOut - size);
        chunks.push(kept);
        size += kept.length;
      };
      child.stdout?.on('data', take);
      child.stderr?.on('data', take);
      child.on('error', (e) => take(Buffer.from(`spawn failed: ${e.message}\n`)));
      child.on('close', (c) => {
        clearTimeout(timer);
        clearTimeout(escalate);
        resolve({ code: c, timedOut });
      });
    },
  );
  if (uid !== undefined) await waitUntilGone(uid);
  const output = Buffer.concat(chunks).toString('utf8');
  if (timedOut) {
    return {
      ok: false,
      reason: 'timeout',
      error: `install timed out after ${timeoutMs} ms`,
      output,
    };
  }
  if (code !== 0) {
    return { ok: false, reason: 'failed', error: `pip exited with status ${code}`, output };
  }
  // What pip left is hostile input until checked: nothing is followed, read or made readable
  // before this passes (the caller discards a rejected directory).
  const leftBehind = inspectTree(options.packagesDir, options.treeLimits);
  if (leftBehind !== undefined) {
    return { ok: false, reason: 'rejected', error: `install rejected: ${leftBehind}`, output };
  }
  makeReadable(options.packagesDir);
  return { ok: true, installed: listInstalled(options.packagesDir), output };
}
