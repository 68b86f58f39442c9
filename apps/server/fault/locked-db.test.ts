import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '@airlock/db';
import { afterAll, describe, expect, it } from 'vitest';
import {
  SPAWNED_PASSWORD,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
} from '../src/test/spawn-server.js';

const root = traversableTempDir('airlock-locked-');
let server: SpawnedServer;
afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('a locked database', () => {
  it('makes writes wait a bounded time, then answer 503 with Retry-After; reads keep working; no 500', async () => {
    const dataDir = join(root, 'data');
    server = await spawnServer(dataDir, {
      AIRLOCK_DB_BUSY_TIMEOUT_MS: '300',
    });
    const token = (await server.api('POST', '/api/admin/login', { password: SPAWNED_PASSWORD }))
      .json.token;
    const admin = { authorization: `Bearer ${token}` };
    expect(
      (
        await server.api(
          'POST',
          '/api/admin/credentials',
          { name: 'BEFORE', value: 'value-before-lock' },
          admin,
        )
      ).status,
    ).toBe(201);

    // Another process holds the write lock (as a backup tool or a stuck writer would).
    const other = openDatabase(join(dataDir, 'private', 'airlock.db'));
    other.sqlite.exec('BEGIN IMMEDIATE');
    try {
      const write = await server.api(
        'POST',
        '/api/admin/credentials',
        { name: 'DURING', value: 'value-during-lock' },
        admin,
      );
      expect(write.status).toBe(503);
      expect(write.json.detail).toBe('The database is busy; retry shortly');
      expect(Number(write.headers.get('retry-after'))).toBeGreaterThan(0);
      const read = await server.api('GET', '/credentials');
      expect(read.status).toBe(200);
      expect(read.json.credentials.map((c: { name: string }) => c.name)).toEqual(['BEFORE']);
      expect((await server.api('GET', '/health')).status).toBe(200);
    } finally {
      other.sqlite.exec('ROLLBACK');
      other.close();
    }
    const after = await server.api(
      'POST',
      '/api/admin/credentials',
      { name: 'DURING', value: 'value-during-lock' },
      admin,
    );
    expect(after.status).toBe(201);
    expect(server.log()).not.toContain('unhandled error');
  });
});
