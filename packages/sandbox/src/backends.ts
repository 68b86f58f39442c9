/**
 * Command lines of the backends. Each turns one confinement request into the program the runner
 * spawns; nothing here starts a process. Secrets never appear in these argv (they travel over
 * the control channel), so `/proc/<pid>/cmdline` shows only paths and limits.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { kafelPolicy, type SeccompVariant } from './seccomp-policy.js';
import type { BackendName, Limits, NetworkPolicy } from './types.js';

/** Where things appear inside the sandbox. */
export const INSIDE = Object.freeze({
  runtimeDir: '/airlock/runtime',
  egressSocket: '/airlock/egress.sock',
  /** A pooled sandbox's late-bound slot (see slot.ts): its egress socket once a run has one. */
  slotDir: '/airlock/slot',
  slotEgressSocket: '/airlock/slot/egress.sock',
  packagesDir: '/airlock/packages',
  /** The roots scripts trust (the system bundle's path, so every client finds it). */
  trustBundle: '/etc/ssl/certs/ca-certificates.crt',
  workDir: '/work',
  tmpDir: '/tmp',
});

/** Host directory of the in-sandbox runtime (bound read-only into every sandbox). */
export const RUNTIME_DIR = fileURLToPath(new URL('../runtime/', import.meta.url));

/** Where the runtime's relay to the egress proxy listens inside the sandbox. */
export const EGRESS_PORT = 3128;

/** The uid/gid scripts see inside the namespace (mapped to the leased host uid). */
export const INSIDE_UID = 1000;

/** One bind of a host path into the sandbox. */
export interface Bind {
  src: string;
  dest: string;
  writable?: boolean;
}

/** Everything a backend needs to build its command line. */
export interface LaunchRequest {
  /** Program and arguments to run inside (absolute paths as seen inside). */
  command: string[];
  /** Extra binds (the runtime dir, the packages dir, find-links, ...). */
  binds: Bind[];
  network: NetworkPolicy;
  limits: Pick<Limits, 'tmpfsBytes'> &
    Partial<
      Pick<Limits, 'cpuSeconds' | 'memoryBytes' | 'processes' | 'fileSizeBytes' | 'openFiles'>
    >;
  /** Host uid/gid the sandbox runs as; undefined keeps the caller's (non-root callers). */
  uid: number | undefined;
  gid: number | undefined;
  /** Child fd number of the compiled seccomp filter (bwrap), when one is passed. */
  seccompFd: number | undefined;
  /** Which denylist nsjail compiles (its kafel policy; none when undefined). */
  seccompVariant?: SeccompVariant | undefined;
  /** Minimal environment inside the sandbox (never a copy of the caller's). */
  env: Record<string, string>;
  /** `pasta` binary, needed for `{ mode: 'full' }`. */
  pasta?: string | undefined;
}

/** What to spawn on the host. */
export interface LaunchPlan {
  file: string;
  args: string[];
  /** Environment of the launched program itself (not of the script). */
  env: Record<string, string>;
  /** Host uid/gid to spawn as (dropped by the kernel before the backend runs). */
  uid: number | undefined;
  gid: number | undefined;
}

/** The base environment of every script. */
export function sandboxEnv(): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: INSIDE.workDir,
    TMPDIR: INSIDE.tmpDir,
    LANG: 'C.UTF-8',
    // No /etc/passwd inside: getpass.getuser() and friends read these instead.
    USER: 'sandbox',
    LOGNAME: 'sandbox',
    PWD: INSIDE.workDir,
  };
}

/** Read-only system paths Debian's python3 (and numpy, TLS, DNS) needs. */
const RO_SYSTEM = [
  '/usr',
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/ssl',
  '/etc/ca-certificates',
];
/** Only bound when the network is shared: name resolution. */
const RO_NETWORK = ['/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf', '/etc/gai.conf'];
/** Debian 12 is merged-/usr: these are symlinks into /usr. */
const USR_SYMLINKS: ReadonlyArray<[string, string]> = [
  ['usr/bin', '/bin'],
  ['usr/sbin', '/sbin'],
  ['usr/lib', '/lib'],
  ['usr/lib64', '/lib64'],
];

/**
 * pasta in front of the backend for `full`: a new user + network namespace wired to the host's
 * network by a user-space TCP/UDP stack; `--no-map-gw` keeps the host itself (its loopback)
 * out of reach through the gateway address; no port forwarding in either direction.
 */
const PASTA_ARGS = [
  '--config-net',
  '--no-map-gw',
  '-T',
  'none',
  '-U',
  'none',
  '-t',
  'none',
  '-u',
  'none',
  '-q',
  '--',
];

function pastaFor(req: LaunchRequest): string {
  if (!req.pasta) {
    throw new Error(
      "network mode 'full' needs pasta: apt-get install -y passt (or use { mode: 'host' } to share the host network)",
    );
  }
  return req.pasta;
}

/**
 * bubblewrap: new user, PID, network, IPC, UTS, cgroup and mount namespaces, run as an
 * unprivileged host uid (dropped before bwrap starts, see ADR 0041).
 *
 * @example
 * const plan = bwrapPlan('/usr/bin/bwrap', { command: ['/usr/bin/python3', '-I', '-c', 'pass'],
 *   binds: [], network: { mode: 'none' }, limits: { tmpfsBytes: 1 << 26 }, uid: 60000,
 *   gid: 60000, seccompFd: undefined, env: sandboxEnv() });
 */
export function bwrapPlan(bwrap: string, req: LaunchRequest): LaunchPlan {
  const a: string[] = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    // The interpreter is the namespace's init: when it exits, the kernel kills every process
    // left in the namespace, and no bwrap reaper is orphaned to the host's PID 1 as a zombie.
    '--as-pid-1',
    '--new-session',
    '--clearenv',
    '--uid',
    String(INSIDE_UID),
    '--gid',
    String(INSIDE_UID),
    '--hostname',
    'sandbox',
  ];
  // `full` shares pasta's namespace (pasta runs bwrap inside it); `host` shares the host's.
  const shared = req.network.mode === 'full' || req.network.mode === 'host';
  if (shared) a.push('--share-net');
  for (const p of RO_SYSTEM) a.push('--ro-bind-try', p, p);
  if (shared) for (const p of RO_NETWORK) a.push('--ro-bind-try', p, p);
  if (req.network.mode === 'egress') a.push('--ro-bind', req.network.socket, INSIDE.egressSocket);
  for (const [target, link] of USR_SYMLINKS) a.push('--symlink', target, link);
  a.push('--proc', '/proc', '--dev', '/dev');
  const size = String(req.limits.tmpfsBytes);
  a.push('--size', size, '--tmpfs', INSIDE.tmpDir);
  a.push('--size', size, '--tmpfs', INSIDE.workDir);
  // bwrap's /dev is an unbounded writable tmpfs: give /dev/shm (POSIX semaphores for
  // multiprocessing) its own bounded tmpfs and make /dev itself read-only below.
  a.push('--size', size, '--tmpfs', '/dev/shm');
  for (const b of req.binds) a.push(b.writable ? '--bind' : '--ro-bind', b.src, b.dest);
  // The work dir's mount point itself stays owned by root unless chmod'ed.
  a.push('--chmod', '1777', INSIDE.workDir);
  // bwrap's root is a writable tmpfs: make it read-only once every mount point exists.
  a.push('--chmod', '1777', '/dev/shm', '--remount-ro', '/dev', '--remount-ro', '/');
  if (req.seccompFd !== undefined) a.push('--seccomp', String(req.seccompFd));
  for (const [k, v] of Object.entries(req.env)) a.push('--setenv', k, v);
  a.push('--chdir', INSIDE.workDir, '--', ...req.command);
  if (req.network.mode === 'full') {
    return {
      file: pastaFor(req),
      args: [...PASTA_ARGS, bwrap, ...a],
      env: {},
      uid: req.uid,
      gid: req.gid,
    };
  }
  return { file: bwrap, args: a, env: {}, uid: req.uid, gid: req.gid };
}

/**
 * nsjail. Same properties as bwrap: namespaces, read-only system, bounded tmpfs (`/tmp`, the
 * work dir, `/dev/shm`), rlimits (also set by the runtime), no new privileges, the same seccomp
 * denylist (as a kafel policy), scripts at nice 0 (nsjail's default is 19).
 *
 * Run as root, nsjail maps the inside uid to the leased host uid itself. For `full`, pasta (run
 * as the leased uid, as with bwrap) creates the user and network namespaces and puts its child
 * in a PID namespace of its own without remounting /proc: `unshare --mount-proc` gives nsjail a
 * /proc that matches, and nsjail, root of pasta's user namespace, maps the inside uid to that
 * namespace's root (the leased uid on the host).
 *
 * @example
 * const plan = nsjailPlan('/usr/bin/nsjail', request);
 */
export function nsjailPlan(nsjail: string, req: LaunchRequest): LaunchPlan {
  const full = req.network.mode === 'full';
  const outsideUid = full ? 0 : (req.uid ?? process.getuid?.() ?? 65534);
  const outsideGid = full ? 0 : (req.gid ?? process.getgid?.() ?? 65534);
  // nsjail multiplies MB-valued limits by 2^20 after parsing, 'inf' and 'max' included (they
  // overflow to a negative limit): "no limit" is a finite 2^42 MB (2^62 bytes) instead.
  const mib = (n: number | undefined) =>
    n === undefined ? String(2 ** 42) : String(Math.ceil(n / 2 ** 20));
  const count = (n: number | undefined) => (n === undefined ? 'max' : String(n));
  const a: string[] = [
    '--mode',
    'o',
    '--really_quiet',
    '--hostname',
    'sandbox',
    '--cwd',
    INSIDE.workDir,
    '--time_limit',
    '0',
    '--nice_level',
    '0',
    '--user',
    `${INSIDE_UID}:${outsideUid}:1`,
    '--group',
    `${INSIDE_UID}:${outsideGid}:1`,
    '--pass_fd',
    '3',
    '--rlimit_as',
    mib(req.limits.memoryBytes),
    // The runtime sets SIGXCPU at cpuSeconds and SIGKILL a second later: leave it that room.
    '--rlimit_cpu',
    req.limits.cpuSeconds === undefined ? 'max' : String(req.limits.cpuSeconds + 1),
    '--rlimit_fsize',
    mib(req.limits.fileSizeBytes),
    '--rlimit_nofile',
    count(req.limits.openFiles),
    '--rlimit_nproc',
    count(req.limits.processes),
    '--rlimit_core',
    '0',
  ];
  if (req.seccompVariant !== undefined) a.push('--seccomp_string', kafelPolicy(req.seccompVariant));
  const shared = req.network.mode === 'full' || req.network.mode === 'host';
  if (shared) a.push('--disable_clone_newnet');
  // Mandatory binds fail when the source is missing (bwrap's --ro-bind-try skips it).
  const present = (paths: string[]) => paths.filter((p) => existsSync(p));
  for (const p of present(RO_SYSTEM)) a.push('--bindmount_ro', `${p}:${p}`);
  if (shared) for (const p of present(RO_NETWORK)) a.push('--bindmount_ro', `${p}:${p}`);
  if (req.network.mode === 'egress')
    a.push('--bindmount_ro', `${req.network.socket}:${INSIDE.egressSocket}`);
  for (const [target, link] of USR_SYMLINKS) a.push('--symlink', `${target}:${link}`);
  // nsjail mounts no /dev: the device nodes bwrap's --dev provides.
  for (const d of DEV_NODES) a.push('--bindmount', `${d}:${d}`);
  for (const [target, link] of DEV_SYMLINKS) a.push('--symlink', `${target}:${link}`);
  const size = req.limits.tmpfsBytes;
  for (const dir of [INSIDE.tmpDir, INSIDE.workDir, '/dev/shm'])
    a.push('--mount', `none:${dir}:tmpfs:size=${size},mode=1777`);
  for (const b of req.binds)
    a.push(b.writable ? '--bindmount' : '--bindmount_ro', `${b.src}:${b.dest}`);
  for (const [k, v] of Object.entries(req.env)) a.push('--env', `${k}=${v}`);
  a.push('--', ...req.command);
  if (full) {
    return {
      file: pastaFor(req),
      args: [
        ...PASTA_ARGS,
        ...dieWithParent(),
        '/usr/bin/unshare',
        '--mount',
        '--mount-proc',
        '--propagation',
        'private',
        nsjail,
        ...a,
      ],
      env: {},
      uid: req.uid,
      gid: req.gid,
    };
  }
  // As root nsjail maps uids itself and drops to the leased one; not as root, to the caller's.
  return { file: nsjail, args: a, env: {}, uid: undefined, gid: undefined };
}

/** Device nodes of bwrap's `--dev`, bound into nsjail's sandbox. */
const DEV_NODES = [
  '/dev/null',
  '/dev/zero',
  '/dev/full',
  '/dev/random',
  '/dev/urandom',
  '/dev/tty',
];
const DEV_SYMLINKS: ReadonlyArray<[string, string]> = [
  ['/proc/self/fd', '/dev/fd'],
  ['/proc/self/fd/0', '/dev/stdin'],
  ['/proc/self/fd/1', '/dev/stdout'],
  ['/proc/self/fd/2', '/dev/stderr'],
];

/**
 * `setpriv --pdeathsig KILL --`: the launcher it starts is killed when its parent dies (the
 * server, or pasta), as bwrap's `--die-with-parent` does for what bwrap starts. nsjail has no
 * such option for itself; pasta has none at all.
 */
export function dieWithParent(): string[] {
  return [SETPRIV, '--pdeathsig', 'KILL', '--'];
}

/** util-linux's setpriv (Debian: essential package util-linux). */
export const SETPRIV = '/usr/bin/setpriv';

/**
 * Development only: runs the interpreter directly, WITHOUT any confinement (no namespaces, the
 * caller's uid and filesystem, the host network). Only rlimits and the timeout apply.
 */
export function unconfinedPlan(req: LaunchRequest): LaunchPlan {
  const [file, ...args] = req.command;
  if (file === undefined) throw new Error('unconfinedPlan: empty command');
  return { file, args, env: req.env, uid: undefined, gid: undefined };
}

/** Builds the plan for a backend. */
export function launchPlan(backend: BackendName, binary: string, req: LaunchRequest): LaunchPlan {
  switch (backend) {
    case 'bwrap':
      return withParentDeath(bwrapPlan(binary, req));
    case 'nsjail':
      return withParentDeath(nsjailPlan(binary, req));
    case 'unconfined-dev':
      return unconfinedPlan(req);
  }
}

/**
 * The plan started through {@link dieWithParent}: if the server dies (even by SIGKILL), the
 * outermost launcher dies with it, and every launcher below dies with its parent in turn
 * (bwrap's --die-with-parent; nsjail kills its sandbox when it exits).
 */
function withParentDeath(plan: LaunchPlan): LaunchPlan {
  return { ...plan, file: SETPRIV, args: [...dieWithParent().slice(1), plan.file, ...plan.args] };
}
