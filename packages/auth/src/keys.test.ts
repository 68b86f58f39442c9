import { describe, expect, it } from 'vitest';
import {
  generateProfileKey,
  isValidKeyId,
  isValidSecret,
  parseBearerKeyId,
  parseProfileKey,
} from './index.js';

const KEY_ID_RE = /^ark_[a-z0-9]{24}$/;
const SECRET_RE = /^[A-Za-z0-9]{48}$/;
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Per-symbol counts over many draws; each must sit within 6 standard deviations of uniform. */
function expectUniform(text: string, alphabet: string): void {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  expect(new Set(counts.keys())).toEqual(new Set(alphabet));
  const n = text.length;
  const p = 1 / alphabet.length;
  const mean = n * p;
  const sd = Math.sqrt(n * p * (1 - p));
  for (const ch of alphabet) {
    const c = counts.get(ch) ?? 0;
    // A modulo-biased generator would put the first symbols ~1/7 (36) or ~1/31 (62) above the
    // rest; at these sample sizes that is >10 sd for 36 symbols.
    expect(Math.abs(c - mean), `symbol ${ch}`).toBeLessThan(6 * sd);
  }
}

describe('generateProfileKey', () => {
  it('produces 10k well-formed, distinct keys', () => {
    const keys = Array.from({ length: 10_000 }, () => generateProfileKey());
    for (const k of keys) {
      expect(k.keyId).toMatch(KEY_ID_RE);
      expect(k.secret).toMatch(SECRET_RE);
      expect(k.full).toBe(`${k.keyId}:${k.secret}`);
    }
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(keys.length);
    expect(new Set(keys.map((k) => k.secret)).size).toBe(keys.length);
  });

  it('draws every symbol uniformly (no modulo bias)', () => {
    const keys = Array.from({ length: 10_000 }, () => generateProfileKey());
    expectUniform(keys.map((k) => k.keyId.slice(4)).join(''), LOWER_ALNUM);
    expectUniform(keys.map((k) => k.secret).join(''), ALNUM);
  });

  it('is uniform at each position too (not only overall)', () => {
    const keys = Array.from({ length: 10_000 }, () => generateProfileKey());
    expectUniform(keys.map((k) => k.keyId[4]).join(''), LOWER_ALNUM);
    expectUniform(keys.map((k) => k.secret[47]).join(''), ALNUM);
  });
});

describe('parseProfileKey', () => {
  it('round-trips a generated key', () => {
    const k = generateProfileKey();
    expect(parseProfileKey(k.full)).toEqual({ ok: true, keyId: k.keyId, secret: k.secret });
  });

  it('splits on the first colon only, so a colon in the secret is malformed', () => {
    const k = generateProfileKey();
    expect(parseProfileKey(`${k.keyId}:${k.secret.slice(0, 47)}:`)).toEqual({
      ok: false,
      reason: 'malformed_secret',
    });
  });

  it.each([
    ['no separator', 'ark_abcdefghijklmnopqrstuvwx', 'missing_separator'],
    ['uppercase key id', `ARK_ABCDEFGHIJKLMNOPQRSTUVWX:${'a'.repeat(48)}`, 'malformed_key_id'],
    ['upper in key id body', `ark_Abcdefghijklmnopqrstuvwx:${'a'.repeat(48)}`, 'malformed_key_id'],
    ['short key id', `ark_abc:${'a'.repeat(48)}`, 'malformed_key_id'],
    ['long key id', `ark_abcdefghijklmnopqrstuvwxy:${'a'.repeat(48)}`, 'malformed_key_id'],
    ['short secret', `ark_abcdefghijklmnopqrstuvwx:${'a'.repeat(47)}`, 'malformed_secret'],
    ['long secret', `ark_abcdefghijklmnopqrstuvwx:${'a'.repeat(49)}`, 'malformed_secret'],
    ['symbol in secret', `ark_abcdefghijklmnopqrstuvwx:${'a'.repeat(47)}!`, 'malformed_secret'],
    ['trailing newline', `ark_abcdefghijklmnopqrstuvwx:${'a'.repeat(48)}\n`, 'malformed_secret'],
    ['leading space', ` ark_abcdefghijklmnopqrstuvwx:${'a'.repeat(48)}`, 'malformed_key_id'],
    ['non-ASCII', `ark_abcdefghijklmnopqrstuvwé:${'a'.repeat(48)}`, 'malformed_key_id'],
    ['huge', `ark_abcdefghijklmnopqrstuvwx:${'a'.repeat(1_000_000)}`, 'malformed_secret'],
  ])('rejects %s', (_name, input, reason) => {
    expect(parseProfileKey(input)).toEqual({ ok: false, reason });
  });

  it.each([undefined, null, 42, {}, ['ark_x:y']])('rejects non-string %p', (input) => {
    expect(parseProfileKey(input)).toEqual({ ok: false, reason: 'not_a_string' });
  });
});

describe('isValidKeyId / isValidSecret', () => {
  it('accept exactly the documented formats', () => {
    expect(isValidKeyId('ark_abcdefghijklmnopqrstuvwx')).toBe(true);
    expect(isValidKeyId('ark_0123456789abcdefghijklmn')).toBe(true);
    expect(isValidKeyId('ark_abcdefghijklmnopqrstuvw')).toBe(false);
    expect(isValidKeyId('ark_abcdefghijklmnopqrstuvwx ')).toBe(false);
    expect(isValidKeyId('xrk_abcdefghijklmnopqrstuvwx')).toBe(false);
    expect(isValidKeyId(123)).toBe(false);
    expect(isValidSecret('A1'.repeat(24))).toBe(true);
    expect(isValidSecret('A1'.repeat(24).replace('1', '_'))).toBe(false);
    expect(isValidSecret(null)).toBe(false);
  });
});

describe('parseBearerKeyId', () => {
  const id = 'ark_abcdefghijklmnopqrstuvwx';

  it('extracts the key id, with a case-insensitive scheme', () => {
    expect(parseBearerKeyId(`Bearer ${id}`)).toEqual({ ok: true, keyId: id });
    expect(parseBearerKeyId(`bearer ${id}`)).toEqual({ ok: true, keyId: id });
    expect(parseBearerKeyId(`BEARER  ${id} `)).toEqual({ ok: true, keyId: id });
  });

  it.each([
    [undefined, 'missing_token'],
    [null, 'missing_token'],
    ['', 'missing_token'],
    ['Bearer', 'missing_token'],
    ['Bearer ', 'missing_token'],
    [`Basic ${id}`, 'missing_token'],
    [`Token ${id}`, 'missing_token'],
    [id, 'missing_token'],
    [`Bearer ${id} extra`, 'missing_token'],
    ['Bearer sk_live_something', 'not_profile_key'],
    [`Bearer ${id.toUpperCase()}`, 'not_profile_key'],
    ['Bearer ark_short', 'malformed_key_id'],
    [`Bearer ${id}:${'a'.repeat(48)}`, 'malformed_key_id'],
    [`Bearer ${id}é`, 'malformed_key_id'],
    [`Bearer ${'a'.repeat(100_000)}`, 'not_profile_key'],
  ])('%p → %s', (header, reason) => {
    expect(parseBearerKeyId(header)).toEqual({ ok: false, reason });
  });
});
