import { arch } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createSandbox, detectBackend, SandboxUnavailableError, which } from '../src/index.js';
import { claimTestUids } from './helpers.js';

describe('backend detection', () => {
  it('finds bubblewrap here', () => {
    expect(detectBackend('bwrap')).toEqual({ backend: 'bwrap', binary: which('bwrap') });
  });

  it('auto prefers nsjail when installed, else bubblewrap', () => {
    expect(detectBackend('auto').backend).toBe(which('nsjail') ? 'nsjail' : 'bwrap');
  });

  it('reports nsjail plainly when it is not installed (its probe suite then did not run)', () => {
    if (which('nsjail')) {
      expect(detectBackend('nsjail').backend).toBe('nsjail');
      return;
    }
    console.log('nsjail is not installed here: the nsjail probe suite did not run');
    expect(() => detectBackend('nsjail')).toThrow(SandboxUnavailableError);
    expect(() => detectBackend('nsjail')).toThrow(/nsjail is not installed; build nsjail/);
  });

  it('throws with the install command when no backend exists, never falling back', () => {
    expect(() => detectBackend('auto', '/nonexistent')).toThrow(/apt-get install -y bubblewrap/);
    expect(() => detectBackend('bwrap', '/nonexistent')).toThrow(SandboxUnavailableError);
  });

  it('check() reports the backend, its version and that it works', async () => {
    const health = await createSandbox({
      backend: 'bwrap',
      uidBase: claimTestUids().base,
      poolSize: 1,
    }).check();
    expect(health).toMatchObject({ backend: 'bwrap', ok: true, unconfined: false });
    expect(health.version).toMatch(/^bubblewrap \d+\.\d+/);
    // The committed BPF denylist covers x86_64 and aarch64.
    expect(health.seccomp).toBe(['x64', 'arm64'].includes(arch()));
  });

  it('the unconfined development mode is labelled loudly and in check()', async () => {
    const logged: string[] = [];
    const sandbox = createSandbox({ backend: 'unconfined-dev', log: (m) => logged.push(m) });
    expect(logged.join('\n')).toMatch(/UNCONFINED DEVELOPMENT MODE/);
    const health = await sandbox.check();
    expect(health).toMatchObject({ backend: 'unconfined-dev', unconfined: true, ok: true });
    const r = await sandbox.run({ script: 'set_result(settings["A"])', settings: { A: 'fake' } })
      .result;
    expect(r).toMatchObject({ status: 'completed', result: 'fake', backend: 'unconfined-dev' });
  });
});
