import { describe, expect, it } from 'vitest';
import { detectCgroups, parseCgroupLayout } from './cgroups.js';

describe('parseCgroupLayout', () => {
  it('finds v1 memory and pids hierarchies and the server`s path in each', () => {
    const mountinfo = [
      '31 25 0:27 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
      '32 25 0:28 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
      '33 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
      '34 25 0:30 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
    ].join('\n');
    const self = ['4:memory:/process_api/abc', '8:pids:/', '2:cpu,cpuacct:/', '0::/'].join('\n');
    expect(parseCgroupLayout(mountinfo, self)).toEqual({
      v2Mount: '/sys/fs/cgroup/unified',
      v2Path: '/',
      v1: {
        memory: { mount: '/sys/fs/cgroup/memory', path: '/process_api/abc' },
        pids: { mount: '/sys/fs/cgroup/pids', path: '/' },
      },
    });
  });

  it('reads a v2-only host, and paths below a mount`s root (bind mounts, namespaces)', () => {
    const mountinfo =
      '40 30 0:35 /system.slice /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate';
    expect(parseCgroupLayout(mountinfo, '0::/system.slice/airlock.service')).toEqual({
      v2Mount: '/sys/fs/cgroup',
      v2Path: '/airlock.service',
      v1: {},
    });
  });

  it('no usable hierarchy: accounting is inactive with the reason', () => {
    const only = parseCgroupLayout(
      '31 25 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory',
      '4:memory:/',
    );
    expect(detectCgroups('t', only)).toEqual({
      accounting: {
        active: false,
        mechanism: 'none',
        detail: 'cgroup v1: the pids hierarchy is not mounted',
      },
    });
    expect(detectCgroups('t', { v1: {} }).accounting).toMatchObject({
      active: false,
      detail: 'no cgroup hierarchy with memory and pids controllers',
    });
  });

  it('a v2 hierarchy without the memory controller is passed over with its reason', () => {
    const layout = { v2Mount: '/nonexistent-cgroup', v2Path: '/', v1: {} };
    expect(detectCgroups('t', layout).accounting.detail).toMatch(/^cgroup v2: ENOENT/);
  });
});
