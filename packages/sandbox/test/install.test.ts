import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPackages, listInstalled, processesOf, validatePackageSpecs } from '../src/index.js';
import { claimTestUids, leftovers, run, TEST_BACKEND, testSandbox } from './helpers.js';

// pip runs as a uid of this file's own, never the default one a running Airlock uses.
const { installer } = claimTestUids();

/** Writes a minimal pure-Python wheel (a zip with a dist-info) with Debian's python. */
function buildWheel(dir: string, name: string, version: string, value: string): void {
  const py = `
import base64, hashlib, sys, zipfile
name, ver, value, out = sys.argv[1:5]
mod = name.replace("-", "_")
files = {
  f"{mod}/__init__.py": f"VALUE = {value!r}\\n".encode(),
  f"{mod}-{ver}.dist-info/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {ver}\\n".encode(),
  f"{mod}-{ver}.dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: airlock-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
rec = "".join(f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},{len(d)}\\n" for p, d in files.items())
files[f"{mod}-{ver}.dist-info/RECORD"] = (rec + f"{mod}-{ver}.dist-info/RECORD,,\\n").encode()
with zipfile.ZipFile(f"{out}/{mod}-{ver}-py3-none-any.whl", "w") as z:
    for p, d in files.items():
        z.writestr(p, d)
`;
  const r = spawnSync('/usr/bin/python3', ['-I', '-c', py, name, version, value, dir]);
  if (r.status !== 0) throw new Error(`wheel build failed: ${r.stderr}`);
}

describe('installPackages', () => {
  let root: string;
  let wheels: string;
  let packagesDir: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'airlock-install-'));
    chmodSync(root, 0o755); // the sandbox uids must traverse it to reach the binds
    wheels = join(root, 'wheels');
    mkdirSync(wheels, { mode: 0o755 });
    packagesDir = join(root, 'packages');
    buildWheel(wheels, 'airlock-probe-pkg', '1.2.3', 'hello from the wheel');
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('validates specs strictly: no options, URLs, paths, markers or spaces', () => {
    for (const ok of [
      'requests',
      'requests==2.31.0',
      'a.b-c_d',
      'httpx[http2]>=0.27,<1',
      'x~=1.4',
    ]) {
      expect(validatePackageSpecs([ok])).toBeUndefined();
    }
    for (const bad of [
      '--index-url=http://evil.example',
      '-r',
      '-rrequirements.txt',
      'git+https://github.com/x/y',
      'https://evil.example/x.whl',
      '../wheels/x.whl',
      '/etc/passwd',
      'a b',
      'x; os_name=="posix"',
      'x @ https://evil.example/x.whl',
      'x==1 --extra-index-url=http://evil',
      '',
    ]) {
      expect(validatePackageSpecs([bad])).toMatch(/invalid package spec/);
    }
    expect(validatePackageSpecs([])).toBe('no packages given');
  });

  it('refuses invalid input before anything runs', async () => {
    const dir = join(root, 'never-created');
    const r = await installPackages({
      backend: TEST_BACKEND,
      packagesDir: dir,
      installerUid: installer,
      packages: ['--index-url=http://evil'],
    });
    expect(r).toMatchObject({ ok: false, reason: 'invalid' });
    const url = await installPackages({
      backend: TEST_BACKEND,
      installerUid: installer,
      packagesDir: dir,
      packages: ['x'],
      indexUrl: 'file:///etc',
    });
    expect(url).toMatchObject({ ok: false, reason: 'invalid' });
    expect(existsSync(dir)).toBe(false);
  });

  it('installs a local wheel confined, lists it, and scripts import it read-only', async () => {
    const r = await installPackages({
      backend: TEST_BACKEND,
      installerUid: installer,
      packagesDir,
      packages: ['airlock-probe-pkg==1.2.3'],
      findLinks: wheels,
      noIndex: true,
      timeoutMs: 120_000,
    });
    expect(r.ok ? '' : r.output).toBe('');
    expect(r).toMatchObject({
      ok: true,
      installed: [{ name: 'airlock-probe-pkg', version: '1.2.3' }],
    });
    expect(listInstalled(packagesDir)).toEqual([{ name: 'airlock-probe-pkg', version: '1.2.3' }]);

    const sandbox = testSandbox({ packagesDir });
    const used = await run(
      sandbox,
      [
        'import airlock_probe_pkg',
        'try:',
        '    open(airlock_probe_pkg.__file__, "a").write("tampered")',
        '    w = "written"',
        'except OSError:',
        '    w = "refused"',
        'set_result([airlock_probe_pkg.VALUE, w, airlock_probe_pkg.__file__])',
      ].join('\n'),
    );
    expect(used).toMatchObject({
      status: 'completed',
      result: [
        'hello from the wheel',
        'refused',
        '/airlock/packages/0/airlock_probe_pkg/__init__.py',
      ],
    });
    expect(leftovers(sandbox)).toEqual([]);
  });

  it('installs readable packages even when the caller runs with umask 077', async () => {
    buildWheel(wheels, 'airlock-umask-pkg', '0.1.0', 'readable under umask 077');
    const dir = join(root, 'packages-umask');
    const previous = process.umask(0o077); // as the Airlock server runs
    let r: Awaited<ReturnType<typeof installPackages>>;
    try {
      r = await installPackages({
        backend: TEST_BACKEND,
        installerUid: installer,
        packagesDir: dir,
        packages: ['airlock-umask-pkg'],
        findLinks: wheels,
        noIndex: true,
      });
    } finally {
      process.umask(previous);
    }
    expect(r.ok ? '' : r.output).toBe('');
    const sandbox = testSandbox({ packagesDir: dir, poolSize: 1 });
    const used = await run(
      sandbox,
      'import airlock_umask_pkg\nset_result(airlock_umask_pkg.VALUE)',
    );
    expect(used).toMatchObject({ status: 'completed', result: 'readable under umask 077' });
  });

  it("a hostile sdist's setup.py runs confined: no host writes, no data directory", async () => {
    // A world-writable host directory and a readable "key": only confinement keeps them safe.
    const hostDir = join(root, 'host-writable');
    mkdirSync(hostDir);
    chmodSync(hostDir, 0o777);
    const keyFile = join(root, 'master.key');
    writeFileSync(keyFile, 'fake-master-key', { mode: 0o644 });
    const sdists = join(root, 'sdists');
    mkdirSync(sdists, { mode: 0o755 });
    const setup = [
      'results = []',
      `for path in [${JSON.stringify(`${hostDir}/escaped`)}, "/airlock/packages/../escaped", "/tmp/ok"]:`,
      '    try:',
      '        open(path, "w").write("x"); results.append("wrote " + path)',
      '    except OSError as e:',
      '        results.append("blocked " + path)',
      'try:',
      `    open(${JSON.stringify(keyFile)}).read(); results.append("read key")`,
      'except OSError:',
      '    results.append("no key")',
      'raise SystemExit("evil setup: " + "; ".join(results))',
    ].join('\n');
    const py = `
import io, sys, tarfile
out, setup = sys.argv[1:3]
with tarfile.open(f"{out}/evil-pkg-0.1.tar.gz", "w:gz") as t:
    for name, data in {"evil-pkg-0.1/setup.py": setup.encode(),
                       "evil-pkg-0.1/PKG-INFO": b"Metadata-Version: 2.1\\nName: evil-pkg\\nVersion: 0.1\\n"}.items():
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
`;
    expect(spawnSync('/usr/bin/python3', ['-I', '-c', py, sdists, setup]).status).toBe(0);
    const r = await installPackages({
      backend: TEST_BACKEND,
      installerUid: installer,
      packagesDir,
      packages: ['evil-pkg==0.1'],
      findLinks: sdists,
      noIndex: true,
      noBuildIsolation: true,
      timeoutMs: 120_000,
    });
    expect(r).toMatchObject({ ok: false, reason: 'failed' });
    if (r.ok) return;
    expect(r.output).toContain(`blocked ${hostDir}/escaped`);
    expect(r.output).toContain('blocked /airlock/packages/../escaped');
    expect(r.output).toContain('wrote /tmp/ok'); // its private /tmp works
    expect(r.output).toContain('no key');
    expect(existsSync(join(hostDir, 'escaped'))).toBe(false);
    expect(existsSync(join(root, 'escaped'))).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'a symlink left in the packages directory is never followed (no host file changes owner or mode)',
    async () => {
      const dir = join(root, 'linked-packages');
      mkdirSync(dir, { mode: 0o755 });
      const victim = join(root, 'host-owned');
      writeFileSync(victim, 'root only', { mode: 0o600 });
      symlinkSync(victim, join(dir, 'evil-link'));
      const r = await installPackages({
        backend: TEST_BACKEND,
        installerUid: installer,
        packagesDir: dir,
        packages: ['airlock-probe-pkg==1.2.3'],
        findLinks: wheels,
        noIndex: true,
        timeoutMs: 120_000,
      });
      // Refused as a link out of the tree, and the host file kept its owner and mode.
      expect(r).toMatchObject({ ok: false, reason: 'rejected' });
      const st = statSync(victim);
      expect([st.uid, st.mode & 0o777]).toEqual([0, 0o600]);
    },
  );

  it('a run imports from its own packages directories, in order, first wins', async () => {
    const [one, two] = ['scope-one', 'scope-two'].map((n) => {
      const d = join(root, n);
      mkdirSync(d, { mode: 0o755 });
      writeFileSync(join(d, 'airlock_scoped.py'), `VALUE = ${JSON.stringify(n)}\n`, {
        mode: 0o644,
      });
      return d;
    });
    const sandbox = testSandbox();
    const probe =
      'try:\n    import airlock_scoped\n    set_result(airlock_scoped.VALUE)\nexcept ImportError:\n    set_result(None)';
    expect(await run(sandbox, probe, { packages: [one as string, two as string] })).toMatchObject({
      result: 'scope-one',
    });
    expect(await run(sandbox, probe, { packages: [two as string] })).toMatchObject({
      result: 'scope-two',
    });
    expect(await run(sandbox, probe)).toMatchObject({ result: null });
  });

  it('an install that hangs is stopped at its timeout, leaving no process', async () => {
    const sdists = join(root, 'sdists-hang');
    mkdirSync(sdists, { mode: 0o755 });
    const py = `
import io, sys, tarfile
with tarfile.open(sys.argv[1] + "/hang-pkg-0.1.tar.gz", "w:gz") as t:
    for name, data in {"hang-pkg-0.1/setup.py": b"import time\\ntime.sleep(1000)\\n",
                       "hang-pkg-0.1/PKG-INFO": b"Metadata-Version: 2.1\\nName: hang-pkg\\nVersion: 0.1\\n"}.items():
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
`;
    expect(spawnSync('/usr/bin/python3', ['-I', '-c', py, sdists]).status).toBe(0);
    const r = await installPackages({
      backend: TEST_BACKEND,
      installerUid: installer,
      packagesDir,
      packages: ['hang-pkg'],
      findLinks: sdists,
      noIndex: true,
      noBuildIsolation: true,
      timeoutMs: 3000,
    });
    expect(r).toMatchObject({ ok: false, reason: 'timeout' });
    if (process.getuid?.() === 0) expect(processesOf([installer], true)).toEqual([]);
  });

  it('returns the installer output when pip fails', async () => {
    const r = await installPackages({
      backend: TEST_BACKEND,
      installerUid: installer,
      packagesDir,
      packages: ['airlock-no-such-package'],
      findLinks: wheels,
      noIndex: true,
      timeoutMs: 120_000,
    });
    expect(r).toMatchObject({ ok: false, reason: 'failed' });
    if (!r.ok)
      expect(r.output).toMatch(/No matching distribution found for airlock-no-such-package/);
    // The earlier install is untouched.
    expect(listInstalled(packagesDir)).toEqual([{ name: 'airlock-probe-pkg', version: '1.2.3' }]);
  });
});
