import { describe, expect, it } from 'vitest';
import {
  checkPasswordPolicy,
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  needsRehash,
  parsePasswordHash,
  type ScryptParams,
  verifyPassword,
} from './index.js';

// The cheapest parameters the limits allow, so most tests stay fast; one test uses the defaults.
const FAST: ScryptParams = { N: 2 ** 14, r: 8, p: 1 };
const PASSWORD = 'test-only correct horse battery';

function field(stored: string, i: number, value: string): string {
  const parts = stored.split('$');
  parts[i] = value;
  return parts.join('$');
}

/** Flip one base64url character to another valid one, keeping the encoding canonical. */
function flipFirst(b64: string): string {
  return (b64[0] === 'A' ? 'B' : 'A') + b64.slice(1);
}

describe('hashPassword / verifyPassword', () => {
  it('round-trips with the default parameters in the documented format', async () => {
    const stored = await hashPassword(PASSWORD);
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword(PASSWORD, stored)).toEqual({ ok: true, needsRehash: false });
    expect(await verifyPassword(`${PASSWORD}!`, stored)).toEqual({ ok: false, reason: 'mismatch' });
  }, 60_000); // Two derivations at N = 2^17 on a shared machine; a timeout here is not a test of speed.

  it('salts: the same password hashes differently each time, and both verify', async () => {
    const a = await hashPassword(PASSWORD, FAST);
    const b = await hashPassword(PASSWORD, FAST);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
    expect((await verifyPassword(PASSWORD, a, FAST)).ok).toBe(true);
    expect((await verifyPassword(PASSWORD, b, FAST)).ok).toBe(true);
  });

  it('rejects wrong passwords, including near misses and case changes', async () => {
    const stored = await hashPassword(PASSWORD, FAST);
    for (const wrong of [
      '',
      PASSWORD.toUpperCase(),
      PASSWORD.slice(1),
      `${PASSWORD} `,
      'x'.repeat(12),
    ]) {
      expect(await verifyPassword(wrong, stored)).toEqual({ ok: false, reason: 'mismatch' });
    }
  });

  it('normalises Unicode (NFKC): composed and decomposed forms are the same password', async () => {
    const composed = 'test-only caf\u00e9 au lait';
    const decomposed = 'test-only cafe\u0301 au lait';
    const stored = await hashPassword(composed, FAST);
    expect((await verifyPassword(decomposed, stored)).ok).toBe(true);
  });

  it('detects tampering with the hash, salt or parameters', async () => {
    const stored = await hashPassword(PASSWORD, FAST);
    const parts = stored.split('$');
    const tampered = [
      field(stored, 5, flipFirst(parts[5] as string)),
      field(stored, 4, flipFirst(parts[4] as string)),
      field(stored, 1, String(2 ** 15)),
      field(stored, 2, '9'),
      field(stored, 3, '2'),
    ];
    for (const t of tampered) {
      expect(await verifyPassword(PASSWORD, t)).toEqual({ ok: false, reason: 'mismatch' });
    }
  });

  it.each([
    ['N = 2^30', (s: string) => field(s, 1, String(2 ** 30))],
    ['N = 2^21', (s: string) => field(s, 1, String(2 ** 21))],
    ['N below the minimum', (s: string) => field(s, 1, '1024')],
    ['N not a power of two', (s: string) => field(s, 1, '100000')],
    ['r = 1000', (s: string) => field(s, 2, '1000')],
    ['p = 1000', (s: string) => field(s, 3, '1000')],
    ['N · r over the memory cap', (s: string) => field(field(s, 1, String(2 ** 20)), 2, '8')],
    ['N · r · p over the work cap', (s: string) => field(field(s, 1, String(2 ** 17)), 3, '16')],
  ])('refuses absurd parameters before deriving: %s', async (_name, edit) => {
    const stored = edit(await hashPassword(PASSWORD, FAST));
    expect(await verifyPassword(PASSWORD, stored)).toEqual({
      ok: false,
      reason: 'params_out_of_range',
    });
  });

  it.each([
    ['empty', () => ''],
    ['wrong scheme', (s: string) => field(s, 0, 'bcrypt')],
    ['missing field', (s: string) => s.split('$').slice(0, 5).join('$')],
    ['extra field', (s: string) => `${s}$x`],
    ['leading zero', (s: string) => field(s, 1, '016384')],
    ['sign', (s: string) => field(s, 2, '+8')],
    ['r = 0', (s: string) => field(s, 2, '0')],
    ['non-numeric', (s: string) => field(s, 1, 'lots')],
    [
      'standard base64 characters',
      (s: string) => field(s, 4, `+/${(s.split('$')[4] as string).slice(2)}`),
    ],
    ['padding', (s: string) => field(s, 5, `${s.split('$')[5]}=`)],
    [
      'non-canonical last char',
      (s: string) => {
        const h = s.split('$')[5] as string;
        // 32 bytes → 43 chars whose last carries 2 zero bits; 'B' sets one of them.
        return field(s, 5, `${h.slice(0, 42)}${h[42] === 'B' ? 'C' : 'B'}`);
      },
    ],
    ['salt too short', (s: string) => field(s, 4, 'AAAAAAAAAAAAAAAAAAAA')],
    ['hash too short', (s: string) => field(s, 5, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')],
    ['huge', (s: string) => s + 'A'.repeat(10_000)],
  ])('refuses a malformed hash string: %s', async (_name, edit) => {
    const stored = edit(await hashPassword(PASSWORD, FAST));
    expect(await verifyPassword(PASSWORD, stored)).toEqual({ ok: false, reason: 'malformed_hash' });
  });

  it('never throws on wrong types', async () => {
    const stored = await hashPassword(PASSWORD, FAST);
    for (const bad of [undefined, null, 42, {}, ['x'], Buffer.from(PASSWORD)]) {
      expect(await verifyPassword(bad, stored)).toEqual({
        ok: false,
        reason: 'malformed_password',
      });
      expect(await verifyPassword(PASSWORD, bad)).toEqual({ ok: false, reason: 'malformed_hash' });
    }
    expect(await verifyPassword('a\uD800bcdefghijkl', stored)).toEqual({
      ok: false,
      reason: 'malformed_password',
    });
    expect(await verifyPassword('x'.repeat(1_000_000), stored)).toEqual({
      ok: false,
      reason: 'malformed_password',
    });
  });

  it('refuses to hash with parameters outside the limits or with unusable passwords', async () => {
    await expect(hashPassword(PASSWORD, { N: 2 ** 10, r: 8, p: 1 })).rejects.toThrow(RangeError);
    await expect(hashPassword(PASSWORD, { N: 3 * 2 ** 14, r: 8, p: 1 })).rejects.toThrow(
      RangeError,
    );
    await expect(hashPassword('a\uD800'.repeat(10), FAST)).rejects.toThrow(TypeError);
    await expect(hashPassword('x'.repeat(5000), FAST)).rejects.toThrow(TypeError);
  });
});

describe('needsRehash', () => {
  it('is false for current parameters, true for others or for junk', async () => {
    const fast = await hashPassword(PASSWORD, FAST);
    expect(needsRehash(fast, FAST)).toBe(false);
    expect(needsRehash(fast)).toBe(true);
    expect(needsRehash(fast, DEFAULT_SCRYPT_PARAMS)).toBe(true);
    expect(needsRehash('scrypt$junk')).toBe(true);
    expect(await verifyPassword(PASSWORD, fast)).toEqual({ ok: true, needsRehash: true });
    expect(await verifyPassword(PASSWORD, fast, FAST)).toEqual({ ok: true, needsRehash: false });
  });
});

describe('parsePasswordHash', () => {
  it('exposes the parameters, salt and hash', async () => {
    const r = parsePasswordHash(await hashPassword(PASSWORD, FAST));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([r.value.N, r.value.r, r.value.p]).toEqual([FAST.N, FAST.r, FAST.p]);
    expect(r.value.salt).toHaveLength(16);
    expect(r.value.hash).toHaveLength(32);
  });
});

describe('checkPasswordPolicy', () => {
  it('requires 12+ code points after NFKC', () => {
    expect(checkPasswordPolicy('x'.repeat(11))).toMatchObject({ ok: false, reason: 'too_short' });
    expect(checkPasswordPolicy('x'.repeat(12))).toEqual({ ok: true });
    // 12 emoji are 24 UTF-16 units but 12 characters; 11 are too short.
    expect(checkPasswordPolicy('\u{1F511}'.repeat(12))).toEqual({ ok: true });
    expect(checkPasswordPolicy('\u{1F511}'.repeat(11))).toMatchObject({
      ok: false,
      reason: 'too_short',
    });
    // Six decomposed é are 12 UTF-16 units but 6 characters after NFKC.
    expect(checkPasswordPolicy('e\u0301'.repeat(6))).toMatchObject({
      ok: false,
      reason: 'too_short',
    });
  });

  it('caps the length and refuses unencodable characters', () => {
    expect(checkPasswordPolicy('x'.repeat(1024))).toEqual({ ok: true });
    expect(checkPasswordPolicy('x'.repeat(1025))).toMatchObject({ ok: false, reason: 'too_long' });
    expect(checkPasswordPolicy('x'.repeat(10_000_000))).toMatchObject({
      ok: false,
      reason: 'too_long',
    });
    expect(checkPasswordPolicy(`${'x'.repeat(12)}\uDC00`)).toMatchObject({
      reason: 'invalid_characters',
    });
    expect(checkPasswordPolicy(`${'x'.repeat(12)}\0`)).toMatchObject({
      reason: 'invalid_characters',
    });
    expect(checkPasswordPolicy(12345678901234)).toMatchObject({ reason: 'not_a_string' });
  });

  it('gives a message fit for the user, without echoing the password', () => {
    const r = checkPasswordPolicy('secret-ish');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toBe('Password must be at least 12 characters');
      expect(r.message).not.toContain('secret-ish');
    }
  });
});
