import { describe, expect, it } from 'vitest';
import {
  type ClaimOutcome,
  generateProfileKey,
  MemoryNonceStore,
  type NonceStore,
  signV1,
  signV2,
  verifyRequest,
} from './index.js';

const T = 1_800_000_000;
const at = (sec: number) => () => sec * 1000;

function signed(secret: string, script: string, timestamp = T, nonce?: string) {
  const s = signV2(secret, script, nonce === undefined ? { timestamp } : { timestamp, nonce });
  return { script, hash: s.hash, timestamp: s.timestamp, nonce: s.nonce };
}

describe('verifyRequest with a replay guard', () => {
  const { keyId, secret } = generateProfileKey();

  it('accepts a request once and reports the exact replay as replayed (signature valid)', async () => {
    const nonceStore = new MemoryNonceStore();
    const req = signed(secret, 'print(1)');
    const first = await verifyRequest(secret, keyId, req, { nonceStore, now: at(T) });
    expect(first).toEqual({ ok: true, version: 2, timestamp: T, nonce: req.nonce });
    const again = await verifyRequest(secret, keyId, req, { nonceStore, now: at(T + 5) });
    expect(again).toEqual({
      ok: false,
      reason: 'replayed',
      version: 2,
      timestamp: T,
      nonce: req.nonce,
    });
  });

  it('still rejects the replay at the far edge of the window', async () => {
    const nonceStore = new MemoryNonceStore();
    const req = signed(secret, 'print(1)');
    expect((await verifyRequest(secret, keyId, req, { nonceStore, now: at(T - 300) })).ok).toBe(
      true,
    );
    // Claimed when the clock was 300 s behind; replayed when it is 300 s ahead: 600 s later.
    const r = await verifyRequest(secret, keyId, req, { nonceStore, now: at(T + 300) });
    expect(r).toMatchObject({ ok: false, reason: 'replayed' });
  });

  it('two concurrent requests with one nonce: exactly one is accepted', async () => {
    const nonceStore = new MemoryNonceStore();
    const req = signed(secret, 'print("once")');
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        verifyRequest(secret, keyId, req, { nonceStore, now: at(T) }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'replayed')).toHaveLength(7);
  });

  it('a bad signature never consumes the nonce (checked before the nonce)', async () => {
    const nonceStore = new MemoryNonceStore();
    const req = signed(secret, 'print(1)');
    const forged = { ...req, script: 'print(2)' };
    expect(await verifyRequest(secret, keyId, forged, { nonceStore, now: at(T) })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(nonceStore.size).toBe(0);
    expect((await verifyRequest(secret, keyId, req, { nonceStore, now: at(T) })).ok).toBe(true);
  });

  it('a request outside the window is rejected without consuming the nonce', async () => {
    const nonceStore = new MemoryNonceStore();
    const req = signed(secret, 'print(1)');
    expect(await verifyRequest(secret, keyId, req, { nonceStore, now: at(T + 301) })).toEqual({
      ok: false,
      reason: 'timestamp_out_of_window',
    });
    expect(nonceStore.size).toBe(0);
  });

  it('a replayed nonce with a different (validly signed) script is still replayed', async () => {
    // The server decides what to answer (e.g. compare with the stored hash); the guard only
    // says the nonce was used.
    const nonceStore = new MemoryNonceStore();
    const nonce = 'ab'.repeat(16);
    expect(
      (
        await verifyRequest(secret, keyId, signed(secret, 'a', T, nonce), {
          nonceStore,
          now: at(T),
        })
      ).ok,
    ).toBe(true);
    expect(
      await verifyRequest(secret, keyId, signed(secret, 'b', T, nonce), { nonceStore, now: at(T) }),
    ).toMatchObject({ ok: false, reason: 'replayed' });
  });

  it('nonces are scoped to the key id', async () => {
    const nonceStore = new MemoryNonceStore();
    const other = generateProfileKey();
    const nonce = 'cd'.repeat(16);
    const a = await verifyRequest(secret, keyId, signed(secret, 'x', T, nonce), {
      nonceStore,
      now: at(T),
    });
    const b = await verifyRequest(other.secret, other.keyId, signed(other.secret, 'x', T, nonce), {
      nonceStore,
      now: at(T),
    });
    expect(a.ok && b.ok).toBe(true);
  });

  it('remembers the nonce for twice the window', async () => {
    const claims: Array<{ expiresAtSec: number; nowSec: number }> = [];
    const nonceStore: NonceStore = {
      claim(_k, _n, expiresAtSec, nowSec): ClaimOutcome {
        claims.push({ expiresAtSec, nowSec });
        return 'new';
      },
    };
    await verifyRequest(secret, keyId, signed(secret, 'x'), { nonceStore, now: at(T + 7) });
    expect(claims).toEqual([{ expiresAtSec: T + 7 + 600, nowSec: T + 7 }]);
  });

  it('works with an async (database-style) store', async () => {
    const seen = new Set<string>();
    const nonceStore: NonceStore = {
      async claim(k, n): Promise<ClaimOutcome> {
        await new Promise((r) => setTimeout(r, 1));
        if (seen.has(`${k}/${n}`)) return 'seen';
        seen.add(`${k}/${n}`);
        return 'new';
      },
    };
    const req = signed(secret, 'x');
    expect((await verifyRequest(secret, keyId, req, { nonceStore, now: at(T) })).ok).toBe(true);
    expect(await verifyRequest(secret, keyId, req, { nonceStore, now: at(T) })).toMatchObject({
      reason: 'replayed',
    });
  });

  it('fails closed when the store is full', async () => {
    const nonceStore = new MemoryNonceStore({ maxEntries: 1 });
    expect(
      (await verifyRequest(secret, keyId, signed(secret, 'a'), { nonceStore, now: at(T) })).ok,
    ).toBe(true);
    expect(
      await verifyRequest(secret, keyId, signed(secret, 'b'), { nonceStore, now: at(T) }),
    ).toEqual({
      ok: false,
      reason: 'replay_store_full',
    });
  });

  it('v1 requests pass through without touching the store', async () => {
    const nonceStore = new MemoryNonceStore();
    const script = 'print(1)';
    const r = await verifyRequest(
      secret,
      keyId,
      { script, hash: signV1(secret, script) },
      { nonceStore },
    );
    expect(r).toEqual({ ok: true, version: 1 });
    expect(nonceStore.size).toBe(0);
    expect(
      await verifyRequest(
        secret,
        keyId,
        { script, hash: signV1(secret, script) },
        { nonceStore, requireV2: true },
      ),
    ).toEqual({ ok: false, reason: 'v2_required' });
  });
});

describe('MemoryNonceStore', () => {
  it('answers new, then seen until expiry, then new again', () => {
    const s = new MemoryNonceStore();
    expect(s.claim('k', 'n', 100, 0)).toBe('new');
    expect(s.claim('k', 'n', 100, 99)).toBe('seen');
    // Live through its expiry second inclusive.
    expect(s.claim('k', 'n', 200, 100)).toBe('seen');
    expect(s.claim('k', 'n', 200, 101)).toBe('new');
    expect(s.claim('k', 'n', 300, 150)).toBe('seen');
  });

  it('keeps memory bounded: expired entries are swept as new ones arrive', () => {
    const s = new MemoryNonceStore({ maxEntries: 1000 });
    let fresh = 0;
    for (let t = 0; t < 100_000; t++) if (s.claim('k', `n${t}`, t + 10, t) === 'new') fresh++;
    expect(fresh).toBe(100_000);
    expect(s.size).toBeLessThanOrEqual(1000);
    expect(s.size).toBeGreaterThanOrEqual(10);
    expect(s.claim('k', 'n99999', 100_010, 99_999)).toBe('seen');
  });

  it('sweeps out-of-order expiries when full instead of refusing', () => {
    const s = new MemoryNonceStore({ maxEntries: 3 });
    expect(s.claim('k', 'long', 1000, 0)).toBe('new');
    expect(s.claim('k', 'a', 10, 0)).toBe('new');
    expect(s.claim('k', 'b', 10, 0)).toBe('new');
    expect(s.claim('k', 'c', 10, 10)).toBe('full');
    // At t = 20 'a' and 'b' are expired although 'long' (older, live) sits in front of them.
    expect(s.claim('k', 'c', 30, 20)).toBe('new');
    expect(s.claim('k', 'long', 1000, 20)).toBe('seen');
    expect(s.size).toBe(2);
  });

  it('sweep() removes expired entries and reports how many', () => {
    const s = new MemoryNonceStore();
    s.claim('k', 'a', 10, 0);
    s.claim('k', 'b', 20, 0);
    s.claim('k', 'c', 30, 0);
    expect(s.sweep(20)).toBe(1);
    expect(s.sweep(21)).toBe(1);
    expect(s.size).toBe(1);
  });

  it('verifyRequest throws on an empty key id (a caller bug), never on request input', async () => {
    const { secret } = generateProfileKey();
    await expect(
      verifyRequest(secret, '', signed(secret, 'x'), {
        nonceStore: new MemoryNonceStore(),
        now: at(T),
      }),
    ).rejects.toThrow(TypeError);
    const junk = { script: 1, hash: {}, timestamp: [], nonce: Symbol('n') };
    expect(
      await verifyRequest(secret, 'ark_abcdefghijklmnopqrstuvwx', junk, {
        nonceStore: new MemoryNonceStore(),
      }),
    ).toEqual({ ok: false, reason: 'malformed_script' });
  });

  it('rejects a nonsensical bound', () => {
    expect(() => new MemoryNonceStore({ maxEntries: 0 })).toThrow(RangeError);
  });
});
