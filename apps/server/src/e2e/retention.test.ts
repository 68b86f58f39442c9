import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '@airlock/db';
import { afterAll, describe, expect, it } from 'vitest';
import {
  lockedProfileOn,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
} from '../test/spawn-server.js';

/**
 * History has a bound (issue 11): through the spawned server, runs that print a lot keep the
 * stored history under AIRLOCK_HISTORY_MAX_MB by pruning the oldest outputs first, the rows
 * stay, the stats say so and the server keeps answering; history older than
 * AIRLOCK_HISTORY_DAYS goes at the next start.
 */
const root = traversableTempDir('airlock-retention-');
const dataDir = join(root, 'data');
const MiB = 1024 * 1024;
const env = {
  AIRLOCK_HISTORY_MAX_MB: '1',
  AIRLOCK_MAX_OUTPUT_BYTES: String(300_000),
};
let server: SpawnedServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('execution history retention', () => {
  it('keeps history under the size limit, oldest outputs first; rows and answers stay', async () => {
    server = await spawnServer(dataDir, env);
    const s = server;
    const p = await lockedProfileOn(s, { RETAINED: 'retention-secret-value-1' });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await p.execute(
        `import sys\nprint("run ${i}")\nsys.stdout.write("${'abcdefghij'}" * 20000)\nset_result(${i})`,
      );
      expect(r.status).toBe(202);
      const id = r.json.execution_id as string;
      const done = await p.waitDone(id);
      expect(done.status).toBe('completed');
      ids.push(id);
      const stats = (await s.api('GET', '/api/admin/stats', undefined, p.admin)).json;
      expect(stats.history.bytes).toBeLessThanOrEqual(MiB);
      expect(stats.history.limit_bytes).toBe(MiB);
    }
    const stats = (await s.api('GET', '/api/admin/stats', undefined, p.admin)).json;
    expect(stats.history.pruned_executions).toBeGreaterThanOrEqual(6);
    expect(stats.history.retention_days).toBe(30);
    expect(stats.history.database_bytes).toBeGreaterThan(0);
    expect(stats.executions.total).toBe(12);

    // The oldest lost their outputs, kept their rows; the newest is whole.
    const oldest = (await s.api('GET', `/api/admin/executions/${ids[0]}`, undefined, p.admin)).json;
    expect(oldest.status).toBe('completed');
    expect(oldest.pruned_at).not.toBeNull();
    expect(oldest.stdout).toBeNull();
    expect(oldest.script).toBe('');
    const newest = await s.api('GET', `/executions/${ids[11]}`);
    expect(newest.json.stdout.startsWith('run 11\n')).toBe(true);
    expect(newest.json.result).toBe(11);
    const list = (await s.api('GET', '/api/admin/executions?limit=50', undefined, p.admin)).json;
    expect(list.executions).toHaveLength(12);
    expect(list.executions.filter((e: { pruned_at: string | null }) => e.pruned_at).length).toBe(
      stats.history.pruned_executions,
    );
    expect((await s.api('GET', '/health')).status).toBe(200);
    // The bound holds across a restart (the total is read back from the database).
    await s.stop();
    server = await spawnServer(dataDir, env);
    const again = (await server.api('GET', '/api/admin/stats', undefined, p.admin)).json;
    expect(again.history.bytes).toBe(stats.history.bytes);
  }, 120_000);

  it('drops history older than AIRLOCK_HISTORY_DAYS at the next start', async () => {
    await server?.stop();
    server = undefined;
    // Age every finished execution by 40 days, as the calendar would.
    const opened = openDatabase(join(dataDir, 'private', 'airlock.db'));
    opened.sqlite
      .prepare('UPDATE executions SET completed_at = completed_at - ?')
      .run(40 * 86_400_000);
    opened.close();
    server = await spawnServer(dataDir, { ...env, AIRLOCK_HISTORY_MAX_MB: '64' });
    const p = await lockedProfileOn(server, { RETAINED_2: 'retention-secret-value-2' });
    const stats = (await server.api('GET', '/api/admin/stats', undefined, p.admin)).json;
    expect(stats.history.pruned_executions).toBe(12);
    expect(stats.history.bytes).toBe(0);
    const fresh = await p.execute('print("new")');
    expect((await p.waitDone(fresh.json.execution_id)).stdout).toBe('new\n');
  }, 120_000);
});
