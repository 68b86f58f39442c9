/**
 * Command lines of the backends. Each turns one confinement request into the program the runner
 * spawns; nothing here starts a process. Secrets never appear in these argv (they travel over
 * the control channel), so `/proc/<pid>/cmdline` shows only paths and limits.
 */
import type { BackendName, Limits, NetworkPolicy } from './types.js';

/** Where things appear inside the sandbox. */
export const INSIDE = Object.freeze({
  runtimeDir: '/airlock/runtime',
  packagesDir: '/airlock/packages',
  workDir: '/work',
  tmpDir: '/tmp',
});

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
  /** Child fd number of the compiled seccomp filter, when one is passed. */
  seccompFd: number | undefined;
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
  if (req.network.mode !== 'none') a.push('--share-net');
  for (const p of RO_SYSTEM) a.push('--ro-bind-try', p, p);
  if (req.network.mode !== 'none') for (const p of RO_NETWORK) a.push('--ro-bind-try', p, p);
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
 * nsjail (run as root; it maps the sandbox uid itself). Same properties as bwrap: namespaces,
 * read-only system, tmpfs, rlimits (also set by the runtime), no new privileges. User namespace
 * creation inside is refused by its seccomp policy (kafel), since nsjail has no --disable-userns.
 *
 * @example
 * const plan = nsjailPlan('/usr/bin/nsjail', request);
 */
export function nsjailPlan(nsjail: string, req: LaunchRequest): LaunchPlan {
  const uid = req.uid ?? 65534;
  const gid = req.gid ?? 65534;
  const mib = (n: number | undefined) => (n === undefined ? 'inf' : String(Math.ceil(n / 2 ** 20)));
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
    '--user',
    `${INSIDE_UID}:${uid}:1`,
    '--group',
    `${INSIDE_UID}:${gid}:1`,
    '--pass_fd',
    '3',
    '--rlimit_as',
    mib(req.limits.memoryBytes),
    '--rlimit_cpu',
    req.limits.cpuSeconds === undefined ? 'inf' : String(req.limits.cpuSeconds),
    '--rlimit_fsize',
    mib(req.limits.fileSizeBytes),
    '--rlimit_nofile',
    req.limits.openFiles === undefined ? 'inf' : String(req.limits.openFiles),
    '--rlimit_nproc',
    req.limits.processes === undefined ? 'inf' : String(req.limits.processes),
    '--rlimit_core',
    '0',
    '--seccomp_string',
    NSJAIL_KAFEL_POLICY,
  ];
  if (req.network.mode !== 'none') a.push('--disable_clone_newnet');
  for (const p of RO_SYSTEM) a.push('--bindmount_ro', `${p}:${p}`);
  if (req.network.mode !== 'none')
    for (const p of RO_NETWORK) a.push('--bindmount_ro', `${p}:${p}`);
  for (const [target, link] of USR_SYMLINKS) a.push('--symlink', `${target}:${link}`);
  // nsjail mounts no /dev: the few device nodes Python and subprocess use.
  for (const d of ['/dev/null', '/dev/zero', '/dev/urandom', '/dev/random'])
    a.push('--bindmount', `${d}:${d}`);
  a.push('--mount', `none:${INSIDE.tmpDir}:tmpfs:size=${req.limits.tmpfsBytes},mode=1777`);
  a.push('--mount', `none:${INSIDE.workDir}:tmpfs:size=${req.limits.tmpfsBytes},mode=1777`);
  for (const b of req.binds)
    a.push(b.writable ? '--bindmount' : '--bindmount_ro', `${b.src}:${b.dest}`);
  for (const [k, v] of Object.entries(req.env)) a.push('--env', `${k}=${v}`);
  a.push('--', ...req.command);
  // nsjail must start as root to map uids; it drops to `uid` itself.
  if (req.network.mode === 'full') {
    return {
      file: pastaFor(req),
      args: [...PASTA_ARGS, nsjail, ...a],
      env: {},
      uid: undefined,
      gid: undefined,
    };
  }
  return { file: nsjail, args: a, env: {}, uid: undefined, gid: undefined };
}

/**
 * Kafel policy for nsjail: the same denylist as the bwrap BPF filter (seccomp/generate.py).
 * Namespace creation, ptrace, mounts, keyrings, bpf, perf, userfaultfd, io_uring, modules, reboot.
 */
export const NSJAIL_KAFEL_POLICY = [
  // Only names kafel's tables know (checked against kafel's x86_64 and arm64 tables: it calls
  // umount2 — 166 / 39 — `umount`); newer calls by number (425-427 io_uring_*, 435 clone3: the
  // same on x86_64 and arm64). Action blocks inside a policy are separated by commas (kafel's
  // documented grammar).
  'POLICY airlock {',
  '  ERRNO(1) {',
  '    ptrace, process_vm_readv, process_vm_writev, mount, umount, pivot_root, chroot,',
  '    unshare, setns, keyctl, add_key, request_key, bpf, perf_event_open, userfaultfd,',
  '    init_module, finit_module, delete_module, kexec_load, kexec_file_load, reboot,',
  '    swapon, swapoff, acct, open_by_handle_at,',
  '    SYSCALL[425], SYSCALL[426], SYSCALL[427],',
  '    clone(flags, stack, ptid, ctid, tls) { (flags & 0x7e020000) != 0 }',
  '  },',
  '  ERRNO(38) { SYSCALL[435] }',
  '}',
  'USE airlock DEFAULT ALLOW',
].join(' ');

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
      return bwrapPlan(binary, req);
    case 'nsjail':
      return nsjailPlan(binary, req);
    case 'unconfined-dev':
      return unconfinedPlan(req);
  }
}
