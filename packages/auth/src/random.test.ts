import { describe, expect, it } from 'vitest';
import { randomString } from './random.js';

describe('randomString', () => {
  it('is uniform over an alphabet where modulo bias would be large', () => {
    // 256 % 100 = 56: a `byte % 100` generator would draw symbols 0..55 1.5× as often as the rest.
    const alphabet = Array.from({ length: 100 }, (_, i) => String.fromCharCode(0x100 + i)).join('');
    const n = 200_000;
    const text = randomString(alphabet, n);
    expect(text).toHaveLength(n);
    const counts = new Map<string, number>();
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(100);
    const mean = n / 100;
    const sd = Math.sqrt(n * 0.01 * 0.99);
    for (const c of counts.values()) expect(Math.abs(c - mean)).toBeLessThan(6 * sd);
  });

  it('returns exactly the requested length, including 0', () => {
    expect(randomString('ab', 0)).toBe('');
    for (const len of [1, 7, 64, 1000]) expect(randomString('xyz', len)).toHaveLength(len);
  });

  it('refuses unusable arguments', () => {
    expect(() => randomString('a', 4)).toThrow(RangeError);
    expect(() => randomString('ab', -1)).toThrow(RangeError);
    expect(() => randomString('ab', 1.5)).toThrow(RangeError);
  });
});
