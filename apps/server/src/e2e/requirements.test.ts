import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimFreeUids, createSandbox } from '@airlock/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { reinstallMissing } from '../services/requirements/install.js';
import { createTestContext } from '../test/harness.js';
import { buildWheel } from '../test/wheels.js';
import { agent } from './agent.js';

const root = mkdtempSync(join(tmpdir(), 'airlock-req-'));
chmodSync(root, 0o755); // the sandbox uids must reach the wheels and packages directories
const wheels = join(root, 'wheels');
mkdirSync(wheels, { mode: 0o755 });
buildWheel(wheels, 'airlock-demo-pkg', '2.0.1', 'hello from a local wheel');
const dataDir = join(root, 'data');
const packagesDir = join(dataDir, 'packages');
mkdirSync(packagesDir, { recursive: true, mode: 0o755 });
chmodSync(dataDir, 0o711);

const own = claimFreeUids(128);
afterAll(() => own.release());
const ctx = createTestContext({
  env: {
    AIRLOCK_DATA_DIR: dataDir,
    AIRLOCK_PIP_FIND_LINKS: wheels,
    AIRLOCK_PIP_NO_INDEX: '1',
    // Uids of this file's own: other test files and test runs install concurrently.
    AIRLOCK_SANDBOX_INSTALLER_UID: String(own.first + 127),
  },
  sandbox: createSandbox({
    backend: 'bwrap',
    packagesDir,
    uidBase: own.first,
    poolSize: 8,
    log: () => {},
  }),
});
afterAll(async () => {
  await ctx.deps.executions.shutdown();
  ctx.close();
  rmSync(root, { recursive: true, force: true });
});

let installer: Awaited<ReturnType<typeof ctx.lockedProfile>>;

describe('requirements', () => {
  it('needs a locked, valid profile key', async () => {
    const r = await ctx.call('POST', '/requirements', { body: { packages: ['airlock-demo-pkg'] } });
    expect(r.status).toBe(401);
    expect(r.json.detail).toBe('Missing authentication token');
    const p = (await ctx.call('POST', '/profiles')).json;
    expect(p.key_id).toBeNull();
    const bogus = await ctx.call('POST', '/requirements', {
      token: 'ark_aaaaaaaaaaaaaaaaaaaaaaaa',
      body: { packages: ['x'] },
    });
    expect(bogus.status).toBe(401);
  });

  it('installs confined from a local wheel, records it, and scripts can import it', async () => {
    const token = await ctx.adminToken();
    const key = await ctx.lockedProfile(token, { REQ_KEY: 'requirements-value-1' });
    installer = key;
    const bare = await ctx.call('POST', '/requirements', {
      token: key.keyId,
      body: { packages: ['airlock-demo-pkg'] },
    });
    expect(bare.status).toBe(401);
    expect(bare.json.detail).toMatch(/^Missing request signature/);
    const invalid = await ctx.signed('POST', '/requirements', key, {
      packages: ['--index-url=http://evil.example'],
    });
    expect(invalid.status).toBe(422);
    expect(String(invalid.json.detail)).toMatch(/invalid package spec/);

    const r = await ctx.signed('POST', '/requirements', key, {
      packages: ['airlock-demo-pkg==2.0.1'],
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json.installed).toEqual([{ name: 'airlock-demo-pkg', version: '2.0.1' }]);
    const listed = await ctx.call('GET', '/requirements');
    expect(listed.json.packages).toMatchObject([
      {
        name: 'airlock-demo-pkg',
        spec: 'airlock-demo-pkg==2.0.1',
        version: '2.0.1',
        scope: key.profileId,
      },
    ]);

    const res = await agent(ctx, key).run(
      [
        'import airlock_demo_pkg',
        'try:',
        "    open(airlock_demo_pkg.__file__, 'a').write('x')",
        "    w = 'writable'",
        'except OSError:',
        "    w = 'read-only'",
        'set_result([airlock_demo_pkg.VALUE, w])',
      ].join('\n'),
    );
    expect(res.status).toBe('completed');
    expect(res.result).toEqual(['hello from a local wheel', 'read-only']);

    const failed = await ctx.signed('POST', '/requirements', key, {
      packages: ['no-such-package-anywhere'],
    });
    expect(failed.status).toBe(422);
    expect(String(failed.json.detail)).toMatch(
      /no-such-package-anywhere|No matching distribution/i,
    );
  });

  it('scopes a profile`s installs to it; reinstalls them when missing', async () => {
    const token = (
      await ctx.call('POST', '/api/admin/login', {
        body: { password: 'correct horse battery staple' },
      })
    ).json.token;
    const other = await ctx.lockedProfile(token, { OTHER_KEY: 'requirements-value-2' });
    const probe =
      'try:\n    import airlock_demo_pkg\n    set_result(airlock_demo_pkg.VALUE)\nexcept ImportError:\n    set_result("not importable")';
    expect((await agent(ctx, other).run(probe)).result).toBe('not importable');
    // A new container with the old database: the profile's packages are gone, then back.
    const link = join(dataDir, 'profile-packages', installer.profileId);
    rmSync(link, { force: true });
    expect((await agent(ctx, installer).run(probe)).result).toBe('not importable');
    await reinstallMissing(ctx.deps);
    expect((await agent(ctx, installer).run(probe)).result).toBe('hello from a local wheel');
    expect((await agent(ctx, other).run(probe)).result).toBe('not importable');
  });
});
