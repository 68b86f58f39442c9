import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyring } from './keyring.js';

const keyring = createKeyring([
  { version: 1, key: randomBytes(32) },
  { version: 7, key: randomBytes(32) },
]);
const plaintexts = fc.uint8Array({ maxLength: 2048 });
const contexts = fc.string({ minLength: 1, maxLength: 80 });

describe('properties', () => {
  it('open(seal(p, aad), aad) returns p', () => {
    fc.assert(
      fc.property(plaintexts, contexts, (plaintext, aad) => {
        const r = keyring.open(keyring.seal(plaintext, aad), aad);
        expect(r.ok).toBe(true);
        expect(r.ok && r.plaintext.equals(plaintext)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('any single-byte change anywhere in the blob makes open fail', () => {
    fc.assert(
      fc.property(
        plaintexts,
        contexts,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (plaintext, aad, position, mask) => {
          const blob = keyring.seal(plaintext, aad);
          const index = position % blob.length;
          blob[index] = (blob[index] as number) ^ mask;
          expect(keyring.open(blob, aad)).toEqual({ ok: false, error: 'decryption failed' });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('any single-byte change of the associated data makes open fail', () => {
    fc.assert(
      fc.property(
        plaintexts,
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (plaintext, aad, position, mask) => {
          const blob = keyring.seal(plaintext, aad);
          const other = Uint8Array.from(aad);
          const index = position % other.length;
          other[index] = (other[index] as number) ^ mask;
          expect(keyring.open(blob, other).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
