/**
 * Unbiased random strings from a CSPRNG.
 *
 * `byte % alphabet.length` would favour the first `256 % length` symbols, so bytes at or above the
 * largest multiple of the alphabet size are rejected and redrawn (rejection sampling). For a
 * 36-symbol alphabet that drops 4/256 of the bytes; for 62 symbols 8/256.
 */
import { randomBytes } from 'node:crypto';

/**
 * Returns `length` symbols drawn uniformly and independently from `alphabet`.
 *
 * @example
 * randomString('abc', 4); // e.g. 'cabb'
 */
export function randomString(alphabet: string, length: number): string {
  const n = alphabet.length;
  if (n < 2 || n > 256) throw new RangeError('randomString: alphabet needs 2..256 symbols');
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError('randomString: length must be a non-negative integer');
  }
  // Largest multiple of n that fits in a byte; bytes >= limit would bias the result.
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    // Draw a little more than needed so one round almost always suffices.
    const bytes = randomBytes(Math.ceil((length - out.length) * 1.1) + 8);
    for (const b of bytes) {
      if (b >= limit) continue;
      out += alphabet[b % n];
      if (out.length === length) break;
    }
  }
  return out;
}

export const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
