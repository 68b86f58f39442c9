import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createMemoryLogger } from './logger.js';
import { buildDeps, MASTER_KEY_FILE } from './startup.js';
import { TEST_PASSWORD, TEST_PASSWORD_PARAMS } from './test/harness.js';

const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const parent = mkdtempSync(join(tmpdir(), 'airlock-start-'));
  chmodSync(parent, 0o711); // the sandbox uid must be able to reach <data>/packages
  const d = join(parent, 'data');
  dirs.push(d, join(d, '..'));
  return d;
}

async function start(dir: string, env: Record<string, string> = {}) {
  const logger = createMemoryLogger();
  const built = await buildDeps(loadConfig({ AIRLOCK_DATA_DIR: dir, ...env }), logger);
  built.deps.passwordParams = TEST_PASSWORD_PARAMS;
  closers.push(built.close);
  const app = createApp(built.deps);
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await app.request(path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  return { built, call, logger };
}

describe('startup', () => {
  it('writes a 0600 setup code that works once; a restart issues a new one and the old is dead', async () => {
    const dir = dataDir();
    const first = await start(dir);
    const firstCode = readFileSync(join(dir, 'private', 'setup-code'), 'utf8').trim();
    await first.built.close();
    closers.pop();

    const second = await start(dir);
    const secondCode = readFileSync(join(dir, 'private', 'setup-code'), 'utf8').trim();
    expect(secondCode).not.toBe(firstCode);
    expect(
      (
        await second.call('POST', '/api/admin/setup', {
          setup_code: firstCode,
          password: TEST_PASSWORD,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await second.call('POST', '/api/admin/setup', {
          setup_code: secondCode,
          password: TEST_PASSWORD,
        })
      ).status,
    ).toBe(201);
    expect(readdirSync(join(dir, 'private'))).not.toContain('setup-code');
    await second.built.close();
    closers.pop();

    // After setup, a restart issues no code at all.
    const third = await start(dir);
    expect(readdirSync(join(dir, 'private'))).not.toContain('setup-code');
    expect(
      (
        await third.call('POST', '/api/admin/setup', {
          setup_code: secondCode,
          password: TEST_PASSWORD,
        })
      ).status,
    ).toBe(409);
  });

  it('presets the admin password from the environment and skips the setup code', async () => {
    const dir = dataDir();
    const s = await start(dir, { AIRLOCK_ADMIN_PASSWORD: TEST_PASSWORD });
    expect(readdirSync(join(dir, 'private'))).not.toContain('setup-code');
    expect((await s.call('GET', '/api/admin/status')).json.setup_required).toBe(false);
    expect((await s.call('POST', '/api/admin/login', { password: TEST_PASSWORD })).status).toBe(
      200,
    );
  });

  it('refuses to start with a different master key for existing data', async () => {
    const dir = dataDir();
    await start(dir, { AIRLOCK_ADMIN_PASSWORD: TEST_PASSWORD });
    for (const c of closers.splice(0)) await c();
    writeFileSync(join(dir, 'private', MASTER_KEY_FILE), randomBytes(32), { mode: 0o600 });
    await expect(start(dir)).rejects.toThrow(/master key/i);
  });

  it('refuses to start when the key file is missing but data exists, and never makes a new one', async () => {
    const dir = dataDir();
    await start(dir, { AIRLOCK_ADMIN_PASSWORD: TEST_PASSWORD });
    for (const c of closers.splice(0)) await c();
    rmSync(join(dir, 'private', MASTER_KEY_FILE));
    await expect(start(dir)).rejects.toThrow(/does not exist/);
    expect(readdirSync(join(dir, 'private'))).not.toContain(MASTER_KEY_FILE);
  });

  it('leaves no stored secret in plaintext in the database file or its WAL', async () => {
    const dir = dataDir();
    const s = await start(dir, { AIRLOCK_ADMIN_PASSWORD: TEST_PASSWORD });
    const token = (await s.call('POST', '/api/admin/login', { password: TEST_PASSWORD })).json
      .token as string;
    const value = `plaintext-canary-${randomBytes(8).toString('hex')}`;
    await s.call('POST', '/api/admin/credentials', { name: 'CANARY_VALUE', value }, token);
    const p = await s.call('POST', '/profiles', {});
    await s.call('POST', `/profiles/${p.json.id}/credentials`, { credentials: ['CANARY_VALUE'] });
    const locked = await s.call(
      'POST',
      `/api/admin/profiles/${p.json.id}/lock`,
      { credentials: ['CANARY_VALUE'] },
      token,
    );
    const secret = (locked.json.key as string).split(':')[1] as string;
    const files = readdirSync(join(dir, 'private')).filter((f) => f.startsWith('airlock.db'));
    expect(files).toEqual(expect.arrayContaining(['airlock.db', 'airlock.db-wal']));
    for (const f of files) {
      const bytes = readFileSync(join(dir, 'private', f)).toString('latin1');
      expect(bytes.includes(value), `${f} holds the credential value`).toBe(false);
      expect(bytes.includes(secret), `${f} holds the key secret`).toBe(false);
      expect(bytes.includes(TEST_PASSWORD), `${f} holds the admin password`).toBe(false);
    }
    // The name is stored in clear (it is not a secret), proving the scan reads real content.
    const all = files.map((f) => readFileSync(join(dir, 'private', f)).toString('latin1')).join('');
    expect(all.includes('CANARY_VALUE')).toBe(true);
  });
});
