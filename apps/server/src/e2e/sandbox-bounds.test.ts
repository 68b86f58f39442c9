import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  lockedProfileOn,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
} from '../test/spawn-server.js';

/**
 * The run as a whole is bounded, through the server users run (default configuration, real
 * sandbox, real Python): memory held in SysV shared memory is counted against the run's limit
 * where the host gives each run a cgroup, and refused where it cannot. /health and the admin
 * overview say which.
 */
const root = traversableTempDir('airlock-bounds-');
let server: SpawnedServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

// About 1.5 GiB in SysV segments of 128 MiB: above the default 1 GiB run limit, each piece far
// below the per-process address-space limit.
const SHM_BOMB = `
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmget.restype = ctypes.c_int
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
for i in range(12):
    sid = libc.shmget(0, 128 << 20, 0o1000 | 0o600)
    if sid < 0:
        raise OSError(ctypes.get_errno(), "shmget")
    addr = libc.shmat(sid, None, 0)
    ctypes.memset(addr, 1, 128 << 20)
    libc.shmdt(ctypes.c_void_p(addr))  # the segment stays, out of the address space
print("held it all")
`;

describe('whole-run bounds through the spawned server', () => {
  it('a SysV shared-memory bomb ends at the run limit (or is refused), and health says which', async () => {
    server = await spawnServer(join(root, 'data'));
    const health = (await server.api('GET', '/health')).json;
    const accounting = health.sandbox.accounting;
    expect(accounting).toEqual({
      active: expect.any(Boolean),
      mechanism: expect.stringMatching(/^(cgroup-v2|cgroup-v1|none)$/),
    });
    // The public health names no host path; the admin overview has the detail.
    expect(JSON.stringify(health)).not.toContain('/sys/fs/cgroup');

    const p = await lockedProfileOn(server, { K: 'bounds-secret-value' });
    const stats = (await server.api('GET', '/api/admin/stats', undefined, p.admin)).json;
    expect(stats.sandbox.accounting).toMatchObject({ ...accounting, detail: expect.any(String) });

    const id = (await p.execute(SHM_BOMB)).json.execution_id as string;
    const done = await p.waitDone(id);
    expect(done.stdout).not.toContain('held it all');
    if (accounting.active) {
      expect(stats.sandbox.accounting.detail).toContain(`airlock.${server.uidBase}`);
      expect(done).toMatchObject({
        status: 'error',
        error: expect.stringMatching(
          /memory limit exceeded: the run's processes together used more than 1024 MiB/,
        ),
      });
    } else {
      expect(done).toMatchObject({ status: 'error', error: expect.stringMatching(/\[Errno 38\]/) });
    }
    expect((await server.api('GET', '/health')).status).toBe(200);
  });
});
