import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  SPAWNED_PASSWORD,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
} from '../src/test/spawn-server.js';

/**
 * `kill -9` while a secret is being written and while an import is being applied: after the
 * restart the state is the old one or the new one, never half (every write is one transaction,
 * WAL with synchronous=FULL), and the server starts without repair.
 */
const root = traversableTempDir('airlock-kill9-');
const servers: SpawnedServer[] = [];
afterAll(async () => {
  for (const s of servers)
    if (s.process.exitCode === null && s.process.signalCode === null) await s.stop();
  rmSync(root, { recursive: true, force: true });
});

const env = {};
const PASSPHRASE = 'a long export passphrase';

async function start(dir: string) {
  const s = await spawnServer(dir, env);
  servers.push(s);
  const token = (await s.api('POST', '/api/admin/login', { password: SPAWNED_PASSWORD })).json
    .token as string;
  return { s, admin: { authorization: `Bearer ${token}` } };
}

describe('kill -9 during writes', () => {
  it('leaves a rotated secret either old or new, and a big import all or nothing', async () => {
    // An export with many credentials, from a separate instance.
    const source = await start(join(root, 'source'));
    for (let i = 0; i < 400; i++) {
      await source.s.api(
        'POST',
        '/api/admin/credentials',
        { name: `IMPORTED_${i}`, value: `imported-value-${i}-xxxx` },
        source.admin,
      );
    }
    const res = await fetch(`${source.s.url}/api/admin/export`, {
      method: 'POST',
      headers: { ...source.admin, 'content-type': 'application/json' },
      body: JSON.stringify({ passphrase: PASSPHRASE }),
    });
    const file = Buffer.from(await res.arrayBuffer()).toString('base64');
    await source.s.stop();

    const dir = join(root, 'target');
    let { s, admin } = await start(dir);
    await s.api(
      'POST',
      '/api/admin/credentials',
      { name: 'ROTATING', value: 'rotation-value-0' },
      admin,
    );

    for (let round = 1; round <= 6; round++) {
      // Fire a rotation and an import, then kill the server at a different moment each round.
      const rotation = s
        .api('PUT', '/api/admin/credentials/ROTATING', { value: `rotation-value-${round}` }, admin)
        .catch(() => null);
      const importing = s
        .api('POST', '/api/admin/import', { file, passphrase: PASSPHRASE }, admin)
        .catch(() => null);
      await new Promise((r) => setTimeout(r, 5 + round * 25));
      await s.kill9();
      await Promise.all([rotation, importing]);
      ({ s, admin } = await start(dir));

      const creds = (await s.api('GET', '/credentials')).json.credentials as {
        name: string;
        value_exists: boolean;
      }[];
      const imported = creds.filter((c) => c.name.startsWith('IMPORTED_')).length;
      expect([0, 400], `round ${round}: imported ${imported}`).toContain(imported);
      // The rotated value opens (never a torn blob): an execution can read it.
      const list = await s.api('GET', '/api/admin/credentials', undefined, admin);
      expect(list.status).toBe(200);
      expect(
        list.json.credentials.find((c: { name: string }) => c.name === 'ROTATING').has_value,
      ).toBe(true);
    }
    expect(servers.every((x) => !x.log().includes('unhandled error'))).toBe(true);
  });
});
