/**
 * A run is bounded as a whole: memory held through SysV shared memory, memfds or forked children
 * counts against the run's one limit (its cgroup), and ends it with `limit: memory`. Without
 * accounting (turned off here, as on hosts without writable cgroups) SysV shared memory and
 * memfds are refused instead. Real backends, real Python; every installed backend.
 */
import { describe, expect, it } from 'vitest';
import { type ConfinedBackend, which } from '../src/index.js';
import { leftovers, run, testSandbox, text } from './helpers.js';

const backends: ConfinedBackend[] = ['bwrap', ...(which('nsjail') ? (['nsjail'] as const) : [])];
console.log(
  `whole-run bounds run against: ${backends.join(', ')}${backends.includes('nsjail') ? '' : ' (nsjail not installed: skipped)'}`,
);

const MiB = 2 ** 20;
// A run limit of 512 MiB; each bomb tries to hold about 1.5 GiB, in pieces no per-process
// limit catches (each piece is far below the 512 MiB address-space limit).
const limits = { memoryBytes: 512 * MiB, fileSizeBytes: 1024 * MiB, timeoutMs: 30_000 };

const SHM = `
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmget.restype = ctypes.c_int
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
held = 0
for i in range(12):
    sid = libc.shmget(0, 128 << 20, 0o1000 | 0o600)
    if sid < 0:
        raise OSError(ctypes.get_errno(), "shmget")
    addr = libc.shmat(sid, None, 0)
    ctypes.memset(addr, 1, 128 << 20)
    libc.shmdt(ctypes.c_void_p(addr))
    held += 128
set_result(held)
`;

const MEMFD = `
import os
held, fds = 0, []
for i in range(12):
    fd = os.memfd_create("x")
    for off in range(0, 128 << 20, 1 << 20):
        os.pwrite(fd, b"x" * (1 << 20), off)
    fds.append(fd)
    held += 128
set_result(held)
`;

const FORK = `
import os, time
kids = []
for i in range(4):
    pid = os.fork()
    if pid == 0:
        b = bytearray(400 << 20)
        for j in range(0, len(b), 4096):
            b[j] = 1
        time.sleep(5)
        os._exit(0)
    kids.append(pid)
set_result([os.waitpid(k, 0)[1] for k in kids])
`;

describe.each(backends)('whole-run bounds (%s)', (backend) => {
  const sandbox = testSandbox({ backend });
  const active = sandbox.accounting.active;
  if (!active) console.log(`whole-run accounting inactive here: ${sandbox.accounting.detail}`);

  it.skipIf(!active).each([
    ['SysV shared memory', SHM],
    ['memfds', MEMFD],
    ['forked children', FORK],
  ])('%s beyond the run limit: limit memory, nothing left', async (_name, script) => {
    const r = await run(sandbox, script, { limits });
    expect(r).toMatchObject({
      status: 'limit',
      limit: 'memory',
      error: expect.stringMatching(/together used more than 512 MiB/),
    });
    expect(leftovers(sandbox)).toEqual([]);
  });

  it.skipIf(!active)('the same run within its limit completes', async () => {
    const r = await run(sandbox, SHM.replace('range(12)', 'range(2)'), { limits });
    expect(r).toMatchObject({ status: 'completed', result: 256 });
  });

  it.skipIf(!active)('health says whole-run accounting is active', async () => {
    const h = await sandbox.check();
    expect(h.accounting).toMatchObject({
      active: true,
      mechanism: expect.stringMatching(/^cgroup-v[12]$/),
    });
  });

  describe('without accounting', () => {
    const off = testSandbox({ backend, accounting: 'off' });

    it('refuses SysV shared memory and memfds (ENOSYS), says so in health', async () => {
      const shm = await run(off, SHM, { limits });
      expect(shm).toMatchObject({ status: 'error', error: expect.stringMatching(/\[Errno 38\]/) });
      const memfd = await run(off, MEMFD, { limits });
      expect(memfd).toMatchObject({
        status: 'error',
        error: expect.stringMatching(/\[Errno 38\]/),
      });
      expect(text(memfd.stdout)).toBe('');
      const h = await off.check();
      expect(h).toMatchObject({
        ok: true,
        seccomp: true,
        accounting: { active: false, mechanism: 'none', detail: 'turned off by configuration' },
      });
      expect(leftovers(off)).toEqual([]);
    });
  });
});
