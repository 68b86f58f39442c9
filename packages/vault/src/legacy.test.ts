/**
 * Legacy blobs: `nonce(12) ‖ ciphertext ‖ tag(16)` under the raw 32-byte key, no AAD.
 *
 * Where the known-answer vectors come from: test/fixtures/legacy-vectors.json was produced by
 * `/usr/bin/python3 packages/vault/scripts/gen-legacy-vectors.py` on Debian 12 (Python 3.11.2,
 * python3-cryptography 38.0.4): `nonce + AESGCM(key).encrypt(nonce, plaintext, None)`, i.e. the
 * layout the earlier Python implementation wrote. The keys, nonces and plaintexts are fixed fake
 * values written in that script. As an independent check that the fixture is right (and not just
 * whatever OpenSSL's GCM says), the first test below recomputes every blob from the GCM
 * specification with test/support/gcm-reference.ts (AES block + GHASH in BigInt).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { legacyVectors } from '../test/support/fixtures.js';
import { referenceGcmEncrypt } from '../test/support/gcm-reference.js';
import { createKeyring } from './keyring.js';
import { migrateLegacyBlob, openLegacy } from './legacy.js';

const vectors = legacyVectors();

describe('legacy blobs (earlier implementation)', () => {
  it('has the committed vectors', () => {
    expect(vectors.map((v) => v.name)).toEqual([
      'ascii-value',
      'empty-plaintext',
      'multi-block-utf8',
    ]);
  });

  it.each(vectors)('fixture $name matches GCM computed from the specification', (v) => {
    const blob = Buffer.concat([v.nonce, referenceGcmEncrypt(v.key, v.nonce, v.plaintext)]);
    expect(blob.toString('hex')).toBe(v.blob.toString('hex'));
  });

  it.each(vectors)('opens known-answer vector $name', (v) => {
    const r = openLegacy(v.key, v.blob);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.plaintext.toString('hex')).toBe(v.plaintext.toString('hex'));
  });

  it('refuses every single-byte change of a vector (nonce, ciphertext, tag)', () => {
    const v = vectors[0];
    if (v === undefined) throw new Error('no vector');
    for (let i = 0; i < v.blob.length; i++) {
      const tampered = Buffer.from(v.blob);
      tampered[i] = (tampered[i] as number) ^ 0x01;
      expect(openLegacy(v.key, tampered)).toEqual({ ok: false, error: 'decryption failed' });
    }
  });

  it('refuses a truncated tag and a too-short blob with the generic error', () => {
    const v = vectors[0];
    if (v === undefined) throw new Error('no vector');
    for (let cut = 1; cut <= 16; cut++) {
      expect(openLegacy(v.key, v.blob.subarray(0, v.blob.length - cut)).ok).toBe(false);
    }
    expect(openLegacy(v.key, Buffer.alloc(27)).ok).toBe(false);
    expect(openLegacy(v.key, Buffer.alloc(0)).ok).toBe(false);
  });

  it('refuses the wrong key', () => {
    const v = vectors[0];
    if (v === undefined) throw new Error('no vector');
    expect(openLegacy(randomBytes(32), v.blob).ok).toBe(false);
  });

  it('throws on a key that is not 32 bytes', () => {
    const v = vectors[0];
    if (v === undefined) throw new Error('no vector');
    for (const n of [0, 16, 24, 31, 33, 64]) {
      expect(() => openLegacy(Buffer.alloc(n), v.blob)).toThrow(RangeError);
    }
  });

  it('migrates a legacy blob into a v1 blob bound to its new place', () => {
    const v = vectors[2];
    if (v === undefined) throw new Error('no vector');
    const keyring = createKeyring([{ version: 1, key: randomBytes(32) }]);
    const aad = 'airlock:v1:credentials:value:7';
    const migrated = migrateLegacyBlob(keyring, v.key, v.blob, aad);
    expect(migrated.ok).toBe(true);
    if (!migrated.ok) return;
    const opened = keyring.open(migrated.blob, aad);
    expect(opened.ok && opened.plaintext.equals(v.plaintext)).toBe(true);
    expect(keyring.open(migrated.blob, 'airlock:v1:credentials:value:8').ok).toBe(false);
    // a v1 blob is not a legacy blob, and vice versa
    expect(openLegacy(v.key, migrated.blob).ok).toBe(false);
    expect(keyring.open(v.blob, aad).ok).toBe(false);
  });

  it('does not migrate a damaged legacy blob', () => {
    const v = vectors[0];
    if (v === undefined) throw new Error('no vector');
    const keyring = createKeyring([{ version: 1, key: randomBytes(32) }]);
    const damaged = Buffer.from(v.blob);
    damaged[20] = (damaged[20] as number) ^ 0xff;
    expect(migrateLegacyBlob(keyring, v.key, damaged, 'airlock:v1:x:y:1')).toEqual({
      ok: false,
      error: 'decryption failed',
    });
  });
});
