import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { signApiRequest, signV2 } from '@airlock/auth';
import { processesOf } from '@airlock/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  lockedProfileOn,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
} from '../test/spawn-server.js';
import { buildWheel } from '../test/wheels.js';

/**
 * Package installs through the server users run (default wiring plus a package index of our
 * own: a PEP 503 tree on 127.0.0.1 serving wheels and sdists built here). pip leaves its
 * sandbox through the egress proxy, which allows only that index. What a profile's key installs
 * is importable by that profile's scripts alone; hostile installs change nothing.
 */
const root = traversableTempDir('airlock-req-egress-');
const files = join(root, 'files');
const dataDir = join(root, 'data');
let index: Server;
let indexPort = 0;
let server: SpawnedServer;
const requested: string[] = [];

/** An sdist whose setup.py runs `code` at build time, then builds an empty package. */
function buildSdist(name: string, code: string): void {
  const setup = `${code}\nfrom setuptools import setup\nsetup(name=${JSON.stringify(name)}, version="0.1", py_modules=[])\n`;
  const py = `
import io, sys, tarfile
out, name, setup = sys.argv[1:4]
base = f"{name}-0.1"
with tarfile.open(f"{out}/{base}.tar.gz", "w:gz") as t:
    for n, data in {f"{base}/setup.py": setup.encode(),
                    f"{base}/PKG-INFO": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: 0.1\\n".encode()}.items():
        info = tarfile.TarInfo(n); info.size = len(data); t.addfile(info, io.BytesIO(data))
`;
  const r = spawnSync('/usr/bin/python3', ['-I', '-c', py, files, name, setup]);
  if (r.status !== 0) throw new Error(`sdist build failed: ${r.stderr}`);
}

const env = () => ({
  AIRLOCK_PIP_INDEX_URL: `http://127.0.0.1:${indexPort}/simple/`,
  // Offline: build sdists with the system's setuptools (the index has no setuptools).
  AIRLOCK_PIP_NO_BUILD_ISOLATION: '1',
  AIRLOCK_PIP_TIMEOUT: '8',
  AIRLOCK_PACKAGES_MAX_MB: '64',
});

beforeAll(async () => {
  mkdirSync(files, { mode: 0o755 });
  buildWheel(files, 'airlock-egress-pkg', '1.0.0', 'installed through the egress proxy');
  // Shadows the system's requests for the profile that installs it, and no other.
  buildWheel(files, 'requests', '99.0.0', 'shadowed requests');
  // setup.py runs several times per install (metadata, build): make the FIFO once.
  buildSdist(
    'fifo-pkg',
    'import os\nif not os.path.exists("/airlock/packages/stall-here"):\n    os.mkfifo("/airlock/packages/stall-here")',
  );
  buildSdist(
    'huge-pkg',
    'with open("/airlock/packages/huge.bin", "wb") as f:\n    f.truncate(200 << 20)',
  );
  buildSdist('sleepy-pkg', 'import time\ntime.sleep(1000)');
  // Fails printing another profile's credential value: the answer is redacted.
  buildSdist('leaky-pkg', 'print("leaked: req-egress-secret-b", flush=True)\nraise SystemExit(1)');
  index = createServer((req, res) => {
    requested.push(req.url ?? '');
    const all = readdirSync(files);
    const project = /^\/simple\/([^/]+)\/$/.exec(req.url ?? '')?.[1];
    if (project !== undefined) {
      const mine = all.filter((f) => f.toLowerCase().replace(/_/g, '-').startsWith(`${project}-`));
      res.setHeader('content-type', 'text/html');
      res.end(mine.map((f) => `<a href="/files/${f}">${f}</a>`).join('\n'));
    } else if (req.url?.startsWith('/files/') && all.includes(req.url.slice(7))) {
      res.end(readFileSync(join(files, req.url.slice(7))));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  index.listen(0, '127.0.0.1');
  await once(index, 'listening');
  indexPort = (index.address() as { port: number }).port;
  server = await spawnServer(dataDir, env());
}, 60_000);

afterAll(async () => {
  await server?.stop();
  index.close();
  rmSync(root, { recursive: true, force: true });
});

type Profile = Awaited<ReturnType<typeof lockedProfileOn>>;

async function install(p: Profile, packages: string[]) {
  const body = JSON.stringify({ packages });
  return server.api('POST', '/requirements', JSON.parse(body), {
    authorization: `Bearer ${p.keyId}`,
    ...signApiRequest(p.secret, { method: 'POST', target: '/requirements', body }).headers,
  });
}

const PROBE = [
  'out = {}',
  'try:',
  '    import airlock_egress_pkg',
  '    out["pkg"] = airlock_egress_pkg.VALUE',
  'except ImportError:',
  '    out["pkg"] = None',
  'import requests',
  'out["requests"] = getattr(requests, "VALUE", "system requests")',
  'set_result(out)',
].join('\n');

/** Runs the probe with a profile's key on the current server (it may have restarted). */
async function probe(p: Profile) {
  const s = signV2(p.secret, PROBE);
  const id = (
    await server.api(
      'POST',
      '/execute',
      { script: PROBE, hash: s.hash },
      { authorization: `Bearer ${p.keyId}`, ...s.headers },
    )
  ).json.execution_id as string;
  for (;;) {
    const r = await server.api('GET', `/executions/${id}?wait=30`);
    if (['completed', 'error', 'timeout'].includes(r.json.status)) return r.json.result;
  }
}

describe('package installs: egress, scopes, hostile input', () => {
  let a: Profile;
  let b: Profile;

  it('installs from the index for one profile; another profile does not see it', async () => {
    a = await lockedProfileOn(server, { REQ_A: 'req-egress-secret-a' });
    b = await lockedProfileOn(server, { REQ_B: 'req-egress-secret-b' });
    const bare = await server.api(
      'POST',
      '/requirements',
      { packages: ['airlock-egress-pkg'] },
      { authorization: `Bearer ${a.keyId}` },
    );
    expect(bare.status).toBe(401);
    const r = await install(a, ['airlock-egress-pkg==1.0.0', 'requests==99.0.0']);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(requested).toContain('/simple/airlock-egress-pkg/');
    expect(r.json.packages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'airlock-egress-pkg', scope: a.profile }),
        expect.objectContaining({ name: 'requests', scope: a.profile }),
      ]),
    );
    expect(await probe(a)).toEqual({
      pkg: 'installed through the egress proxy',
      requests: 'shadowed requests',
    });
    // The other profile imports neither, and its requests is still the system's.
    expect(await probe(b)).toEqual({ pkg: null, requests: 'system requests' });
  }, 120_000);

  it('an unknown package is a 422 with pip`s message; the installer`s output is redacted', async () => {
    const r = await install(a, ['airlock-no-such-pkg']);
    expect(r.status).toBe(422);
    expect(String(r.json.detail)).toMatch(/No matching distribution found for airlock-no-such-pkg/);
    const leaky = await install(a, ['leaky-pkg']);
    expect(leaky.status).toBe(422);
    expect(String(leaky.json.detail)).toContain('leaked: [REDACTED:REQ_B]');
    expect(JSON.stringify(leaky.json)).not.toContain('req-egress-secret-b');
  }, 60_000);

  it.each([
    ['fifo-pkg', /install rejected: a FIFO at stall-here/],
    ['huge-pkg', /install rejected: more than 67108864 bytes installed/],
    ['sleepy-pkg', /Package installation failed \(timeout\)/],
  ])(
    'a hostile install (%s) is refused, changes nothing, the server keeps answering',
    async (pkg, why) => {
      const before = readdirSync(join(dataDir, 'package-generations')).filter(
        (g) => !g.includes('.staging-'),
      );
      const pending = install(a, [pkg]);
      // Meanwhile the server answers.
      expect((await server.api('GET', '/health')).status).toBe(200);
      const r = await pending;
      expect(r.status).toBe(422);
      expect(String(r.json.detail)).toMatch(why);
      // No installer process is left (its uid is the last of the server's block).
      expect(processesOf([server.uidBase + 127])).toEqual([]);
      // Nothing half-installed: no new generation, the profile imports what it did.
      const after = readdirSync(join(dataDir, 'package-generations')).filter(
        (g) => !g.includes('.staging-'),
      );
      expect(after.sort()).toEqual(before.sort());
      expect(
        readdirSync(join(dataDir, 'package-generations')).some((g) => g.includes('.staging-')),
      ).toBe(false);
      expect(await probe(a)).toEqual({
        pkg: 'installed through the egress proxy',
        requests: 'shadowed requests',
      });
    },
    120_000,
  );

  it('survives a restart that lost the packages: reinstalled per scope', async () => {
    await server.stop();
    rmSync(join(dataDir, 'profile-packages', a.profile), { force: true });
    expect(existsSync(join(dataDir, 'profile-packages', a.profile))).toBe(false);
    server = await spawnServer(dataDir, env());
    let result: unknown;
    for (let i = 0; i < 60; i++) {
      result = await probe(a);
      if ((result as { pkg: unknown }).pkg !== null) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(result).toEqual({
      pkg: 'installed through the egress proxy',
      requests: 'shadowed requests',
    });
    expect(await probe(b)).toEqual({ pkg: null, requests: 'system requests' });
  }, 120_000);

  it('the admin installs for every profile (shared scope); a profile`s own install still wins', async () => {
    const admin = a.admin;
    const anonymous = await server.api('POST', '/api/admin/requirements', {
      packages: ['airlock-egress-pkg'],
    });
    expect(anonymous.status).toBe(401);
    const unknownScope = await server.api(
      'POST',
      '/api/admin/requirements',
      { packages: ['airlock-egress-pkg'], scope: '00000000-0000-4000-8000-000000000000' },
      admin,
    );
    expect(unknownScope.status).toBe(404);
    const r = await server.api(
      'POST',
      '/api/admin/requirements',
      { packages: ['airlock-egress-pkg==1.0.0'] },
      admin,
    );
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.packages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'airlock-egress-pkg', scope: 'shared' }),
        expect.objectContaining({ name: 'airlock-egress-pkg', scope: a.profile }),
      ]),
    );
    expect(await probe(b)).toEqual({
      pkg: 'installed through the egress proxy',
      requests: 'system requests',
    });
    expect(await probe(a)).toEqual({
      pkg: 'installed through the egress proxy',
      requests: 'shadowed requests',
    });
    // The admin's listing: Debian's packages too, and the failed installs with their output.
    const listing = (await server.api('GET', '/api/admin/requirements', undefined, admin)).json;
    expect(listing.system).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'requests' })]),
    );
    expect(listing.failures.map((f: { packages: string[] }) => f.packages[0])).toEqual(
      expect.arrayContaining(['fifo-pkg', 'huge-pkg', 'sleepy-pkg', 'leaky-pkg']),
    );
    expect(JSON.stringify(listing.failures)).toContain('a FIFO at stall-here');
    expect(JSON.stringify(listing)).not.toContain('req-egress-secret-b');
  }, 120_000);
});
