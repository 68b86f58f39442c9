import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  SPAWNED_PASSWORD,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
} from '../src/test/spawn-server.js';

/**
 * The data directory on a 6 MiB tmpfs, filled up: writes answer a clear 503 and change nothing,
 * reads keep working, and once space is freed everything works again without repair. Needs
 * root (it mounts a tmpfs); CI runs as root.
 */
const root = traversableTempDir('airlock-diskfull-');
const mountPoint = join(root, 'data');
mkdirSync(mountPoint);
let mounted = false;
let server: SpawnedServer | undefined;

afterAll(async () => {
  await server?.stop();
  if (mounted) execFileSync('umount', [mountPoint]);
  rmSync(root, { recursive: true, force: true });
});

describe('a full disk', () => {
  it('answers 503 for writes, keeps reads working, and recovers by itself', async () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m,mode=0711', 'tmpfs', mountPoint]);
    mounted = true;
    server = await spawnServer(mountPoint);
    const token = (await server.api('POST', '/api/admin/login', { password: SPAWNED_PASSWORD }))
      .json.token;
    const admin = { authorization: `Bearer ${token}` };
    expect(
      (
        await server.api(
          'POST',
          '/api/admin/credentials',
          { name: 'KEPT', value: 'kept-value-123' },
          admin,
        )
      ).status,
    ).toBe(201);

    // Fill every byte that is left.
    const filler = join(mountPoint, 'filler');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' });
    } catch {
      // dd stops with ENOSPC: that is the point
    }

    const statuses: number[] = [];
    let storageMessage = '';
    for (let i = 0; i < 200 && !statuses.includes(503); i++) {
      const r = await server.api(
        'POST',
        '/api/admin/credentials',
        { name: `N${i}`, value: 'x'.repeat(8000) },
        admin,
      );
      statuses.push(r.status);
      if (r.status === 503) storageMessage = r.json.detail;
    }
    expect(statuses).toContain(503);
    expect(statuses.some((s) => s >= 500 && s !== 503)).toBe(false);
    expect(storageMessage).toMatch(/Storage is full|database is busy/);
    const read = await server.api('GET', '/credentials');
    expect(read.status).toBe(200);
    expect(read.json.credentials.map((c: { name: string }) => c.name)).toContain('KEPT');

    // Free the space: writes work again, no restart, no repair.
    rmSync(filler);
    writeFileSync(join(root, 'freed'), '');
    const again = await server.api(
      'POST',
      '/api/admin/credentials',
      { name: 'AFTER_RECOVERY', value: 'after-recovery-1' },
      admin,
    );
    expect(again.status).toBe(201);
    const listed = (await server.api('GET', '/credentials')).json.credentials.map(
      (c: { name: string }) => c.name,
    );
    expect(listed).toContain('AFTER_RECOVERY');
    expect(server.log()).not.toContain('unhandled error');
  });
});
