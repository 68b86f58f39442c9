/**
 * `auto` opens the first installed backend that passes its self-check: a broken nsjail on PATH
 * (here a stand-in that fails as the kafel bug did) is passed over, loudly, for bubblewrap.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCheckedSandbox } from '../src/index.js';
import { claimTestUids, run } from './helpers.js';

const bin = mkdtempSync(join(tmpdir(), 'airlock-broken-nsjail-'));
chmodSync(bin, 0o755);
writeFileSync(
  join(bin, 'nsjail'),
  '#!/bin/sh\necho "[E] Couldn\'t prepare sandboxing policy" >&2\nexit 255\n',
  { mode: 0o755 },
);
const savedPath = process.env.PATH;
afterAll(() => {
  process.env.PATH = savedPath;
  rmSync(bin, { recursive: true, force: true });
});

describe('openCheckedSandbox', () => {
  it('auto passes over a broken nsjail for bubblewrap, and says so', async () => {
    process.env.PATH = `${bin}:${savedPath}`;
    const logs: string[] = [];
    const prepared: string[] = [];
    const { sandbox, health, skipped } = await openCheckedSandbox(
      { backend: 'auto', uidBase: claimTestUids().base, poolSize: 2, log: (m) => logs.push(m) },
      (s) => prepared.push(s.backend),
    );
    try {
      expect(prepared).toEqual(['nsjail', 'bwrap']);
      expect(health).toMatchObject({ backend: 'bwrap', ok: true });
      expect(skipped).toEqual([
        { backend: 'nsjail', detail: expect.stringMatching(/Couldn't prepare sandboxing policy/) },
      ]);
      expect(logs.join('\n')).toMatch(
        /nsjail is installed but failed its self-check .*using bwrap instead/,
      );
      const r = await run(sandbox, 'set_result(1 + 1)');
      expect(r).toMatchObject({ status: 'completed', result: 2, backend: 'bwrap' });
    } finally {
      sandbox.close();
    }
  });

  it('a named backend that fails its self-check is returned as failed (the caller refuses)', async () => {
    process.env.PATH = `${bin}:${savedPath}`;
    const { health, skipped, sandbox } = await openCheckedSandbox({
      backend: 'nsjail',
      uidBase: claimTestUids().base,
      poolSize: 2,
      log: () => {},
    });
    sandbox.close();
    expect(health).toMatchObject({ backend: 'nsjail', ok: false });
    expect(skipped).toEqual([]);
  });
});
