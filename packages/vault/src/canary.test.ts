import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertCanary, CANARY_AAD, checkCanary, createCanary } from './canary.js';
import { VaultStartupError } from './errors.js';
import { createKeyring } from './keyring.js';
import { loadMasterKey } from './master-key.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'vault-canary-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('canary', () => {
  it('passes with the key that created it', () => {
    const keyring = createKeyring([{ version: 1, key: randomBytes(32) }]);
    const canary = createCanary(keyring);
    expect(checkCanary(keyring, canary)).toEqual({ ok: true, keyVersion: 1, needsReseal: false });
    expect(() => assertCanary(keyring, canary, '/data/airlock.db')).not.toThrow();
  });

  it('detects the wrong master key for this data directory', () => {
    // The real scenario: a store is initialised, then its key file is replaced by another one.
    const keyPath = join(root, 'data', 'master.key');
    const first = loadMasterKey({ path: keyPath, dataExists: false });
    const canary = createCanary(createKeyring([{ version: 1, key: first.key }]));
    writeFileSync(keyPath, randomBytes(32), { mode: 0o600 }); // someone swaps the key file
    const swapped = loadMasterKey({ path: keyPath, dataExists: true });
    const result = checkCanary(createKeyring([{ version: 1, key: swapped.key }]), canary);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('WRONG_KEY');
    expect(result.message).toMatch(/wrong master key for this data directory/);
    expect(result.message).toMatch(/Fix:/);
  });

  it('assertCanary throws a VaultStartupError naming where the data is', () => {
    const canary = createCanary(createKeyring([{ version: 1, key: randomBytes(32) }]));
    const other = createKeyring([{ version: 1, key: randomBytes(32) }]);
    try {
      assertCanary(other, canary, '/data/airlock.db');
      expect.unreachable('assertCanary should throw');
    } catch (error) {
      expect(error).toBeInstanceOf(VaultStartupError);
      expect((error as VaultStartupError).code).toBe('CANARY_FAILED');
      expect((error as VaultStartupError).path).toBe('/data/airlock.db');
      expect((error as VaultStartupError).message).toContain('/data/airlock.db');
    }
  });

  it('names a key version that is not loaded', () => {
    const k1 = randomBytes(32);
    const v2 = createKeyring([
      { version: 1, key: k1 },
      { version: 2, key: randomBytes(32) },
    ]);
    const canary = createCanary(v2);
    const result = checkCanary(createKeyring([{ version: 1, key: k1 }]), canary);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe('KEY_VERSION_NOT_LOADED');
      expect(result.message).toContain('version 2');
    }
  });

  it('says when the stored canary is not a vault blob at all', () => {
    const keyring = createKeyring([{ version: 1, key: randomBytes(32) }]);
    for (const junk of [Buffer.alloc(0), Buffer.from('not a blob'), Buffer.alloc(40, 0xff)]) {
      const result = checkCanary(keyring, junk);
      expect(result.ok || result.code).toBe('NOT_A_CANARY');
    }
  });

  it('rejects a tampered canary and a sealed value that is not the canary', () => {
    const keyring = createKeyring([{ version: 1, key: randomBytes(32) }]);
    const canary = createCanary(keyring);
    canary[canary.length - 1] = (canary[canary.length - 1] as number) ^ 1;
    expect(checkCanary(keyring, canary).ok).toBe(false);
    // right key and AAD, wrong plaintext
    expect(checkCanary(keyring, keyring.seal('something else', CANARY_AAD)).ok).toBe(false);
    // a real value blob cannot pose as the canary (other AAD)
    const value = keyring.seal('airlock vault canary v1', 'airlock:v1:credentials:value:1');
    expect(checkCanary(keyring, value).ok).toBe(false);
  });

  it('after rotation: still passes and asks for a re-seal', () => {
    const k1 = randomBytes(32);
    const canary = createCanary(createKeyring([{ version: 1, key: k1 }]));
    const rotated = createKeyring([
      { version: 1, key: k1 },
      { version: 2, key: randomBytes(32) },
    ]);
    expect(checkCanary(rotated, canary)).toEqual({ ok: true, keyVersion: 1, needsReseal: true });
    const resealed = rotated.reseal(canary, CANARY_AAD);
    expect(resealed.ok).toBe(true);
    if (resealed.ok) {
      expect(checkCanary(rotated, resealed.blob)).toEqual({
        ok: true,
        keyVersion: 2,
        needsReseal: false,
      });
    }
  });
});
