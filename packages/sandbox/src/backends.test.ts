import { describe, expect, it } from 'vitest';
import { bwrapPlan, type LaunchRequest, nsjailPlan, sandboxEnv } from './backends.js';

const base: LaunchRequest = {
  command: ['/usr/bin/python3', '-I', '-B', '/airlock/runtime/airlock_runtime.py'],
  binds: [{ src: '/srv/packages', dest: '/airlock/packages' }],
  network: { mode: 'none' },
  limits: {
    tmpfsBytes: 8 * 2 ** 20,
    memoryBytes: 2 ** 30,
    cpuSeconds: 7,
    processes: 32,
    fileSizeBytes: 2 ** 20,
    openFiles: 64,
  },
  uid: 60003,
  gid: 60003,
  seccompFd: 4,
  env: sandboxEnv(),
  pasta: '/usr/bin/pasta',
};

/** The value following `flag` in argv (first occurrence). */
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('bwrapPlan', () => {
  it('confines: namespaces, no userns inside, die-with-parent, read-only root and /dev', () => {
    const p = bwrapPlan('/usr/bin/bwrap', base);
    expect(p.file).toBe('/usr/bin/bwrap');
    for (const f of [
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--die-with-parent',
      '--as-pid-1',
      '--new-session',
      '--clearenv',
    ]) {
      expect(p.args).toContain(f);
    }
    expect(p.args).not.toContain('--share-net');
    expect(after(p.args, '--seccomp')).toBe('4');
    expect(p.args.join(' ')).toContain('--remount-ro /dev --remount-ro /');
    expect(p.args.join(' ')).toContain('--ro-bind /srv/packages /airlock/packages');
    // Runs as the leased uid with an empty launcher environment.
    expect([p.uid, p.gid, p.env]).toEqual([60003, 60003, {}]);
    // The command comes last, after `--`.
    expect(p.args.slice(p.args.lastIndexOf('--') + 1)).toEqual(base.command);
  });

  it('full goes through pasta without host loopback; host shares the network directly', () => {
    const full = bwrapPlan('/usr/bin/bwrap', { ...base, network: { mode: 'full' } });
    expect(full.file).toBe('/usr/bin/pasta');
    expect(full.args.slice(0, 12)).toContain('--no-map-gw');
    expect(full.args).toContain('--share-net');
    const host = bwrapPlan('/usr/bin/bwrap', { ...base, network: { mode: 'host' } });
    expect(host.file).toBe('/usr/bin/bwrap');
    expect(host.args).toContain('--share-net');
    expect(() =>
      bwrapPlan('/usr/bin/bwrap', { ...base, pasta: undefined, network: { mode: 'full' } }),
    ).toThrow(/apt-get install -y passt/);
  });
});

describe('nsjailPlan', () => {
  it('maps the uid, passes only the channel fd, sets rlimits and the seccomp policy', () => {
    const p = nsjailPlan('/usr/bin/nsjail', base);
    expect(p.uid).toBeUndefined(); // nsjail starts as root and maps the uid itself
    expect(after(p.args, '--user')).toBe('1000:60003:1');
    expect(after(p.args, '--pass_fd')).toBe('3');
    expect(after(p.args, '--rlimit_as')).toBe('1024');
    // One second above the runtime's soft limit: room for SIGXCPU before SIGKILL.
    expect(after(p.args, '--rlimit_cpu')).toBe('8');
    expect(after(p.args, '--rlimit_nproc')).toBe('32');
    // No seccomp variant asked for: no policy (the sandbox always asks for one).
    expect(p.args).not.toContain('--seccomp_string');
    const policy = after(
      nsjailPlan('/usr/bin/nsjail', { ...base, seccompVariant: 'unaccounted' }).args,
      '--seccomp_string',
    );
    expect(policy).toMatch(/ERRNO\(38\) \{ clone3, shmget, shmat, memfd_create, memfd_secret \}/);
    expect(policy).toContain('(request & 0xffffffff) == 0x5412');
    expect(policy).toContain('domain >= 17');
    expect(
      after(
        nsjailPlan('/usr/bin/nsjail', { ...base, seccompVariant: 'accounted' }).args,
        '--seccomp_string',
      ),
    ).toMatch(/ERRNO\(38\) \{ clone3 \}/);
    expect(p.args).not.toContain('--disable_clone_newnet');
    expect(nsjailPlan('/usr/bin/nsjail', { ...base, network: { mode: 'host' } }).args).toContain(
      '--disable_clone_newnet',
    );
    // Unlimited values: nsjail scales MB limits after parsing, 'inf' and 'max' too (overflow).
    const open = nsjailPlan('/usr/bin/nsjail', { ...base, limits: { tmpfsBytes: 1 << 20 } });
    expect(after(open.args, '--rlimit_fsize')).toBe(String(2 ** 42));
    expect(after(open.args, '--rlimit_as')).toBe(String(2 ** 42));
    expect(after(open.args, '--rlimit_nproc')).toBe('max');
    expect(open.args).not.toContain('inf');
  });

  it('full: pasta as the leased uid, a matching /proc, nsjail mapping to pasta`s root', () => {
    const p = nsjailPlan('/usr/bin/nsjail', { ...base, network: { mode: 'full' } });
    expect(p.file).toBe('/usr/bin/pasta');
    expect(p.uid).toBe(60003);
    expect(p.args).toContain('--no-map-gw');
    const at = p.args.indexOf('/usr/bin/unshare');
    expect(p.args.slice(at, at + 6)).toEqual([
      '/usr/bin/unshare',
      '--mount',
      '--mount-proc',
      '--propagation',
      'private',
      '/usr/bin/nsjail',
    ]);
    expect(p.args.slice(at - 4, at)).toEqual(['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--']);
    expect(after(p.args, '--user')).toBe('1000:0:1');
  });
});
