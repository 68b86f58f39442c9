import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BLOB_OVERHEAD, blobKeyVersion } from './blob.js';
import { createKeyring, DECRYPTION_FAILED, fieldContext, Keyring } from './keyring.js';

const FAILED = { ok: false, error: DECRYPTION_FAILED };
const AAD = 'airlock:v1:credentials:value:42';

function ring() {
  return createKeyring([{ version: 1, key: randomBytes(32) }]);
}

function flip(blob: Buffer, index: number): Buffer {
  const copy = Buffer.from(blob);
  copy[index] = (copy[index] as number) ^ 0x01;
  return copy;
}

describe('seal / open', () => {
  it('round-trips strings, bytes and the empty value', () => {
    const keyring = ring();
    const text = keyring.open(keyring.seal('fake-secret-value', AAD), AAD);
    expect(text.ok && text.plaintext.toString('utf8')).toBe('fake-secret-value');
    const bytes = randomBytes(4096);
    const opened = keyring.open(keyring.seal(bytes, AAD), AAD);
    expect(opened.ok && opened.plaintext.equals(bytes)).toBe(true);
    const empty = keyring.open(keyring.seal('', AAD), AAD);
    expect(empty.ok && empty.plaintext.length).toBe(0);
  });

  it('lays out format byte, key version, nonce, ciphertext and a 16-byte tag', () => {
    const keyring = createKeyring([{ version: 0x01020304, key: randomBytes(32) }]);
    const blob = keyring.seal('abc', AAD);
    expect(blob.length).toBe(3 + BLOB_OVERHEAD);
    expect(blob[0]).toBe(0x01);
    expect(blob.readUInt32BE(1)).toBe(0x01020304);
    expect(blobKeyVersion(blob)).toBe(0x01020304);
  });

  it('gives different blobs for the same plaintext twice (fresh nonce)', () => {
    const keyring = ring();
    const a = keyring.seal('same plaintext', AAD);
    const b = keyring.seal('same plaintext', AAD);
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(5, 17).equals(b.subarray(5, 17))).toBe(false);
  });

  it('fails on a tampered format byte, key version, nonce, ciphertext or tag', () => {
    const keyring = ring();
    const blob = keyring.seal('fake-secret-value', AAD);
    const regions = {
      format: 0,
      version: 4,
      nonce: 5,
      nonceEnd: 16,
      ciphertext: 17,
      ciphertextEnd: blob.length - 17,
      tag: blob.length - 16,
      tagEnd: blob.length - 1,
    };
    for (const [, index] of Object.entries(regions)) {
      expect(keyring.open(flip(blob, index), AAD)).toEqual(FAILED);
    }
  });

  it('authenticates the header: a blob relabelled to another version fails even under the same key', () => {
    const key = randomBytes(32);
    const keyring = createKeyring([
      { version: 1, key },
      { version: 2, key },
    ]);
    const blob = keyring.seal('fake-secret-value', AAD);
    const relabelled = Buffer.from(blob);
    relabelled.writeUInt32BE(1, 1);
    expect(blobKeyVersion(blob)).toBe(2);
    expect(keyring.open(blob, AAD).ok).toBe(true);
    expect(keyring.open(relabelled, AAD)).toEqual(FAILED);
  });

  it('fails on other associated data: a blob moved to another row or column', () => {
    const keyring = ring();
    const blob = keyring.seal('fake-secret-value', fieldContext('credentials', 'value', 1));
    expect(keyring.open(blob, fieldContext('credentials', 'value', 2))).toEqual(FAILED);
    expect(keyring.open(blob, fieldContext('credentials', 'description', 1))).toEqual(FAILED);
    expect(keyring.open(blob, fieldContext('profiles', 'secret', 1))).toEqual(FAILED);
    expect(keyring.open(blob, fieldContext('credentials', 'value', 1)).ok).toBe(true);
    expect(keyring.open(blob, Buffer.from(fieldContext('credentials', 'value', 1))).ok).toBe(true);
  });

  it('fails with the same generic result under a wrong key', () => {
    const blob = ring().seal('fake-secret-value', AAD);
    expect(ring().open(blob, AAD)).toEqual(FAILED);
  });

  it('rejects a truncated tag (any number of bytes cut) and short garbage', () => {
    const keyring = ring();
    const blob = keyring.seal('fake-secret-value', AAD);
    for (let cut = 1; cut <= 16; cut++) {
      expect(keyring.open(blob.subarray(0, blob.length - cut), AAD)).toEqual(FAILED);
    }
    // header present but tag bytes missing entirely; empty; unknown format byte
    expect(keyring.open(blob.subarray(0, 17), AAD)).toEqual(FAILED);
    expect(keyring.open(Buffer.alloc(0), AAD)).toEqual(FAILED);
    const otherFormat = Buffer.from(blob);
    otherFormat[0] = 0x02;
    expect(keyring.open(otherFormat, AAD)).toEqual(FAILED);
    // extra bytes appended: the tag is read from the end, so it no longer matches
    expect(keyring.open(Buffer.concat([blob, Buffer.alloc(1)]), AAD)).toEqual(FAILED);
  });

  it('refuses empty or non-string associated data (a blob must be bound to its place)', () => {
    const keyring = ring();
    expect(() => keyring.seal('x', '')).toThrow(RangeError);
    expect(() => keyring.seal('x', new Uint8Array(0))).toThrow(RangeError);
    const blob = keyring.seal('x', AAD);
    expect(() => keyring.open(blob, '')).toThrow(RangeError);
    expect(() => keyring.seal('x', 42 as unknown as string)).toThrow(TypeError);
  });
});

describe('keys and key versions', () => {
  it('rejects keys that are not exactly 32 bytes', () => {
    for (const n of [0, 1, 16, 24, 31, 33, 64]) {
      expect(() => createKeyring([{ version: 1, key: Buffer.alloc(n) }])).toThrow(
        /exactly 32 bytes/,
      );
    }
    expect(() => createKeyring([{ version: 1, key: 'a'.repeat(32) as unknown as Buffer }])).toThrow(
      TypeError,
    );
  });

  it('rejects invalid versions, duplicates, an empty ring and an unknown current version', () => {
    const key = randomBytes(32);
    for (const version of [0, -1, 1.5, 2 ** 32, Number.NaN]) {
      expect(() => createKeyring([{ version, key }])).toThrow(RangeError);
    }
    expect(() =>
      createKeyring([
        { version: 1, key },
        { version: 1, key },
      ]),
    ).toThrow(/twice/);
    expect(() => createKeyring([])).toThrow(RangeError);
    expect(() => createKeyring([{ version: 1, key }], { current: 2 })).toThrow(
      /not in the keyring/,
    );
  });

  it('copies the key: changing the caller buffer afterwards changes nothing', () => {
    const key = randomBytes(32);
    const keyring = createKeyring([{ version: 1, key }]);
    const blob = keyring.seal('fake', AAD);
    key.fill(0);
    expect(keyring.open(blob, AAD).ok).toBe(true);
  });

  it('never shows key material when inspected or serialised', () => {
    const key = randomBytes(32);
    const keyring = createKeyring([{ version: 3, key }]);
    const shown = `${inspect(keyring, { depth: 10, showHidden: true })} ${JSON.stringify(keyring)}`;
    expect(shown).toContain('current: 3');
    expect(shown).not.toContain(key.toString('hex'));
    expect(shown).not.toContain(key.toString('base64'));
    expect(JSON.parse(JSON.stringify(keyring))).toEqual({ versions: [3], currentVersion: 3 });
  });
});

describe('rotation', () => {
  it('opens old blobs, seals new ones under the new version, and re-seals old ones', () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    const before = createKeyring([{ version: 1, key: k1 }]);
    const old = before.seal('fake-old-value', AAD);

    const after = createKeyring([
      { version: 1, key: k1 },
      { version: 2, key: k2 },
    ]);
    expect(after.currentVersion).toBe(2);
    expect(after.versions).toEqual([1, 2]);
    const opened = after.open(old, AAD);
    expect(opened.ok && opened.plaintext.toString()).toBe('fake-old-value');

    const fresh = after.seal('fake-new-value', AAD);
    expect(blobKeyVersion(fresh)).toBe(2);
    expect(after.needsReseal(old)).toBe(true);
    expect(after.needsReseal(fresh)).toBe(false);
    // the old keyring cannot read blobs of the new key
    expect(before.open(fresh, AAD)).toEqual(FAILED);

    const resealed = after.reseal(old, AAD);
    expect(resealed.ok && resealed.resealed).toBe(true);
    if (!resealed.ok) return;
    expect(blobKeyVersion(resealed.blob)).toBe(2);
    // once re-sealed, version 1 can be dropped
    const onlyNew = createKeyring([{ version: 2, key: k2 }]);
    const reopened = onlyNew.open(resealed.blob, AAD);
    expect(reopened.ok && reopened.plaintext.toString()).toBe('fake-old-value');
    expect(onlyNew.open(old, AAD)).toEqual(FAILED);
  });

  it('leaves a current blob unchanged and refuses to re-seal a bad one or under other AAD', () => {
    const keyring = ring();
    const blob = keyring.seal('fake', AAD);
    const same = keyring.reseal(blob, AAD);
    expect(same.ok && !same.resealed && same.blob.equals(blob)).toBe(true);
    expect(keyring.reseal(flip(blob, 20), AAD)).toEqual(FAILED);
    expect(keyring.reseal(blob, `${AAD}0`)).toEqual(FAILED);
  });

  it('can keep an older version current (current chosen explicitly)', () => {
    const keyring = createKeyring(
      [
        { version: 1, key: randomBytes(32) },
        { version: 2, key: randomBytes(32) },
      ],
      { current: 1 },
    );
    expect(blobKeyVersion(keyring.seal('x', AAD))).toBe(1);
    expect(keyring).toBeInstanceOf(Keyring);
  });
});

describe('fieldContext', () => {
  it('builds the conventional string and refuses ambiguous names', () => {
    expect(fieldContext('credentials', 'value', 42)).toBe('airlock:v1:credentials:value:42');
    expect(fieldContext('profiles', 'secret', 'a:b')).toBe('airlock:v1:profiles:secret:a:b');
    expect(() => fieldContext('a:b', 'value', 1)).toThrow(RangeError);
    expect(() => fieldContext('credentials', '', 1)).toThrow(RangeError);
    expect(() => fieldContext('credentials', 'value', '')).toThrow(RangeError);
  });
});
