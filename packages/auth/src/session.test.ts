import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashSessionToken, isValidSessionToken, mintSessionToken, sessionState } from './index.js';

describe('session tokens', () => {
  it('mints 32 random bytes as 43-char base64url with the SHA-256 hex of the token', () => {
    const { token, hash } = mintSessionToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // Storage format: SHA-256 over the token's ASCII text (documented so another service can match it).
    expect(hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(hashSessionToken(token)).toBe(hash);
    expect(isValidSessionToken(token)).toBe(true);
  });

  it('mints distinct tokens and hashes', () => {
    const minted = Array.from({ length: 1000 }, () => mintSessionToken());
    expect(new Set(minted.map((m) => m.token)).size).toBe(1000);
    expect(new Set(minted.map((m) => m.hash)).size).toBe(1000);
  });

  it('different tokens hash differently; the hash never contains the token', () => {
    const a = mintSessionToken();
    const b = mintSessionToken();
    expect(hashSessionToken(a.token)).not.toBe(hashSessionToken(b.token));
    expect(a.hash).not.toContain(a.token);
  });

  it.each([
    ['undefined', undefined],
    ['number', 42],
    ['empty', ''],
    ['42 chars', 'A'.repeat(42)],
    ['44 chars', 'A'.repeat(44)],
    ['padded', `${'A'.repeat(42)}=`],
    ['standard base64 +', `+${'A'.repeat(42)}`],
    ['standard base64 /', `/${'A'.repeat(42)}`],
    ['non-canonical last char', `${'A'.repeat(42)}B`],
    ['space', `${'A'.repeat(42)} `],
    ['non-ASCII', `${'A'.repeat(42)}é`],
    ['huge', 'A'.repeat(1_000_000)],
  ])('rejects %s without hashing', (_name, token) => {
    expect(isValidSessionToken(token)).toBe(false);
    expect(hashSessionToken(token)).toBeNull();
  });

  it('accepts a canonical token that was not minted here (format, not provenance)', () => {
    expect(isValidSessionToken(`${'A'.repeat(42)}A`)).toBe(true);
    expect(isValidSessionToken(`${'A'.repeat(42)}w`)).toBe(true);
  });
});

describe('sessionState', () => {
  const base = {
    createdAtSec: 1000,
    lastSeenAtSec: 1000,
    idleTimeoutSec: 100,
    absoluteTimeoutSec: 500,
  };

  it('expires on idle and on absolute age, with exclusive boundaries', () => {
    expect(sessionState({ ...base, nowSec: 1099 })).toBe('active');
    expect(sessionState({ ...base, nowSec: 1100 })).toBe('idle_expired');
    expect(sessionState({ ...base, lastSeenAtSec: 1450, nowSec: 1499 })).toBe('active');
    expect(sessionState({ ...base, lastSeenAtSec: 1450, nowSec: 1500 })).toBe('absolute_expired');
  });
});
