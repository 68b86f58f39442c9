import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gcmOpen, gcmSeal, toAesKey } from './gcm.js';

describe('gcm layer', () => {
  const raw = randomBytes(32);
  const key = toAesKey(raw);
  const aad = Buffer.from('airlock:v1:test');

  it('round-trips and always produces a 16-byte tag and a 12-byte nonce', () => {
    const { nonce, ciphertext, tag } = gcmSeal(key, Buffer.from('fake value'), aad);
    expect(nonce.length).toBe(12);
    expect(tag.length).toBe(16);
    expect(gcmOpen(key, nonce, ciphertext, tag, aad)?.toString()).toBe('fake value');
  });

  it('rejects a truncated tag even when it is a correct prefix of the real tag', () => {
    const { nonce, ciphertext, tag } = gcmSeal(key, Buffer.from('fake value'), aad);
    for (const length of [4, 8, 12, 13, 14, 15]) {
      expect(gcmOpen(key, nonce, ciphertext, tag.subarray(0, length), aad)).toBeUndefined();
    }
    expect(gcmOpen(key, nonce, ciphertext, Buffer.concat([tag, Buffer.alloc(1)]), aad)).toBe(
      undefined,
    );
  });

  it('rejects a nonce that is not 12 bytes', () => {
    const { nonce, ciphertext, tag } = gcmSeal(key, Buffer.from('fake value'), aad);
    expect(gcmOpen(key, nonce.subarray(0, 11), ciphertext, tag, aad)).toBeUndefined();
    expect(gcmOpen(key, Buffer.concat([nonce, Buffer.alloc(4)]), ciphertext, tag, aad)).toBe(
      undefined,
    );
    expect(() => gcmSeal(key, Buffer.from('x'), aad, Buffer.alloc(16))).toThrow(RangeError);
  });

  it('checks key lengths and types', () => {
    expect(() => toAesKey(Buffer.alloc(31))).toThrow(RangeError);
    expect(() => toAesKey(Buffer.alloc(33))).toThrow(RangeError);
    expect(toAesKey(key)).toBe(key);
  });
});
