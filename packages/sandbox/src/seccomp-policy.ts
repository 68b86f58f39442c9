/**
 * The seccomp denylist, from its one definition (`seccomp/policy.json`): the committed BPF blobs
 * bwrap loads (compiled by `seccomp/generate.py`) and the kafel policy nsjail compiles.
 */
import { existsSync, readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Host directory of the committed seccomp filters (one blob per architecture and variant). */
export const SECCOMP_DIR = fileURLToPath(new URL('../seccomp/', import.meta.url));

interface Policy {
  eperm: string[];
  enosys: string[];
  unaccountedEnosys: string[];
  cloneNamespaceFlags: Record<string, number>;
  deniedIoctls: Record<string, number>;
  socket: { deniedFamiliesBelow17: number[]; netlink: number; netlinkAllowedProtocol: number };
}

const POLICY = JSON.parse(readFileSync(join(SECCOMP_DIR, 'policy.json'), 'utf8')) as Policy;

/**
 * Which filter a run gets: `unaccounted` also refuses SysV shared memory and memfds (ENOSYS),
 * for runs without a cgroup of their own (no per-process limit bounds their pages).
 */
export type SeccompVariant = 'accounted' | 'unaccounted';

/**
 * The BPF blob for this machine's architecture and the variant, if one is committed.
 *
 * @example
 * seccompFilterPath(); // '/…/packages/sandbox/seccomp/x86_64.bpf' on x86_64
 * seccompFilterPath('unaccounted'); // '/…/seccomp/x86_64.unaccounted.bpf'
 */
export function seccompFilterPath(variant: SeccompVariant = 'accounted'): string | undefined {
  const name = arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : undefined;
  if (!name) return undefined;
  const p = join(SECCOMP_DIR, `${name}${variant === 'unaccounted' ? '.unaccounted' : ''}.bpf`);
  return existsSync(p) ? p : undefined;
}

/** Kafel's tables call umount2 `umount`; these do not exist on arm64 (kafel refuses them). */
const KAFEL_SKIP = new Set(['umount2']);
const NOT_ON_ARM64 = new Set(['uselib', 'iopl', 'ioperm']);

/**
 * The same denylist as the BPF blobs, as a kafel policy for nsjail's `--seccomp_string`.
 *
 * @example
 * kafelPolicy('accounted'); // 'POLICY airlock { ERRNO(1) { ptrace, … } … } USE airlock DEFAULT ALLOW'
 */
export function kafelPolicy(variant: SeccompVariant, cpu: string = arch()): string {
  const names = POLICY.eperm.filter(
    (n) => !KAFEL_SKIP.has(n) && !(cpu === 'arm64' && NOT_ON_ARM64.has(n)),
  );
  const cloneMask = Object.values(POLICY.cloneNamespaceFlags).reduce((a, b) => a | b, 0);
  const ioctls = Object.values(POLICY.deniedIoctls)
    .map((r) => `(request & 0xffffffff) == ${hex(r)}`)
    .join(' || ');
  const s = POLICY.socket;
  const families = [
    ...s.deniedFamiliesBelow17.map((f) => `domain == ${f}`),
    'domain >= 17',
    `(domain == ${s.netlink} && protocol != ${s.netlinkAllowedProtocol})`,
  ].join(' || ');
  const enosys = [...POLICY.enosys, ...(variant === 'unaccounted' ? POLICY.unaccountedEnosys : [])];
  return [
    'POLICY airlock {',
    '  ERRNO(1) {',
    `    ${names.join(', ')},`,
    `    clone(flags, stack, ptid, ctid, tls) { (flags & ${hex(cloneMask >>> 0)}) != 0 },`,
    `    ioctl(fd, request) { ${ioctls} },`,
    `    socket(domain, type, protocol) { ${families} }`,
    '  },',
    `  ERRNO(38) { ${enosys.join(', ')} }`,
    '}',
    'USE airlock DEFAULT ALLOW',
  ].join('\n');
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
