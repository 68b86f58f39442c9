import { createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkScryptParams,
  DEFAULT_SCRYPT_PARAMS,
  decryptExport,
  EXPORT_HEADER_BYTES,
  type ExportErrorCode,
  type ExportOpenResult,
  encryptExport,
  parseExportHeader,
  SCRYPT_LIMITS,
  type ScryptParams,
} from './export.js';
import { readExportFile, writeExportFile } from './export-file.js';

// Small parameters keep the suite fast; one test below uses the real defaults.
const FAST: ScryptParams = { N: 2 ** 10, r: 1, p: 1 };
const PASS = 'correct horse battery staple (test)';
const STATE = JSON.stringify({ credentials: [{ name: 'FAKE_TOKEN', value: 'fake-value-123' }] });

let file: Buffer;
let root: string;

beforeAll(async () => {
  file = await encryptExport(STATE, PASS, { kdf: FAST });
  root = mkdtempSync(join(tmpdir(), 'vault-export-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function expectCode(result: ExportOpenResult, code: ExportErrorCode): string {
  expect(result.ok ? 'ok' : result.code).toBe(code);
  return result.ok ? '' : result.message;
}

/** Header with chosen fields, and a body of the size it declares. */
function craft(fields: { logN?: number; r?: number; p?: number; length?: bigint }): Buffer {
  const copy = Buffer.from(file);
  if (fields.logN !== undefined) copy[10] = fields.logN;
  if (fields.r !== undefined) copy.writeUInt32BE(fields.r, 11);
  if (fields.p !== undefined) copy.writeUInt32BE(fields.p, 15);
  if (fields.length !== undefined) copy.writeBigUInt64BE(fields.length, 47);
  return copy;
}

describe('export round trip', () => {
  it('decrypts what it encrypted, and reports the header', async () => {
    const r = await decryptExport(file, PASS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plaintext.toString('utf8')).toBe(STATE);
    expect(r.header.params).toEqual(FAST);
    expect(r.header.version).toBe(1);
    expect(r.header.kdf).toBe('scrypt');
    expect(r.header.ciphertextLength).toBe(Buffer.byteLength(STATE));
  });

  it('starts with the magic and a versioned header; fresh salt and nonce each time', async () => {
    expect(file.subarray(0, 8).toString('ascii')).toBe('AIRLOCKX');
    expect(file[8]).toBe(1);
    expect(file[9]).toBe(1);
    expect(file.length).toBe(EXPORT_HEADER_BYTES + Buffer.byteLength(STATE) + 16);
    const again = await encryptExport(STATE, PASS, { kdf: FAST });
    expect(again.subarray(19, 35).equals(file.subarray(19, 35))).toBe(false); // salt
    expect(again.subarray(35, 47).equals(file.subarray(35, 47))).toBe(false); // nonce
  });

  it('round-trips binary and empty payloads', async () => {
    const bytes = randomBytes(100_000);
    const r = await decryptExport(await encryptExport(bytes, PASS, { kdf: FAST }), PASS);
    expect(r.ok && r.plaintext.equals(bytes)).toBe(true);
    const e = await decryptExport(await encryptExport('', PASS, { kdf: FAST }), PASS);
    expect(e.ok && e.plaintext.length).toBe(0);
  });

  it('treats the passphrase as Unicode text (NFC): composed and decomposed forms agree', async () => {
    const composed = 'caf\u00e9 passphrase';
    const decomposed = 'cafe\u0301 passphrase';
    const f = await encryptExport(STATE, composed, { kdf: FAST });
    expect((await decryptExport(f, decomposed)).ok).toBe(true);
  });

  it('works with the real default parameters (N=2^17, r=8, p=1) without blocking the event loop', async () => {
    const f = await encryptExport(STATE, PASS);
    const h = parseExportHeader(f);
    expect(h.ok && h.header.params).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    let loopRan = false;
    setImmediate(() => {
      loopRan = true;
    });
    const r = await decryptExport(f, PASS);
    expect(loopRan).toBe(true); // the derivation ran off the main thread
    expect(r.ok && r.plaintext.toString('utf8')).toBe(STATE);
    expectCode(await decryptExport(f, 'wrong passphrase'), 'AUTH_FAILED');
  }, 60_000);
});

describe('refusals, each with its own code', () => {
  it('wrong passphrase', async () => {
    const message = expectCode(await decryptExport(file, 'not the passphrase'), 'AUTH_FAILED');
    expect(message).toMatch(/wrong passphrase or the file was modified/);
    expect(message).not.toContain('not the passphrase');
    expectCode(await decryptExport(file, ''), 'AUTH_FAILED');
  });

  it('edited ciphertext or tag', async () => {
    for (const index of [EXPORT_HEADER_BYTES, file.length - 17, file.length - 1]) {
      const edited = Buffer.from(file);
      edited[index] = (edited[index] as number) ^ 0x01;
      expectCode(await decryptExport(edited, PASS), 'AUTH_FAILED');
    }
  });

  it('edited header: every single header byte changed is refused', async () => {
    const expected = (i: number): ExportErrorCode[] => {
      if (i < 8) return ['NOT_AN_EXPORT'];
      if (i === 8) return ['UNSUPPORTED_VERSION'];
      if (i === 9) return ['UNSUPPORTED_KDF'];
      if (i < 19 && i > 10) return ['KDF_PARAMS_OUT_OF_RANGE'];
      if (i >= 47) return ['TRUNCATED', 'TRAILING_DATA', 'TOO_LARGE'];
      return ['AUTH_FAILED']; // log2 N, salt, nonce: only the AAD check can catch these
    };
    for (let i = 0; i < EXPORT_HEADER_BYTES; i++) {
      const edited = Buffer.from(file);
      edited[i] = (edited[i] as number) ^ 0x01;
      const r = await decryptExport(edited, PASS);
      expect(r.ok, `header byte ${i}`).toBe(false);
      if (!r.ok) expect(expected(i), `header byte ${i}`).toContain(r.code);
    }
  });

  it('edited but plausible KDF parameters fail authentication', async () => {
    // r 1 -> 3, p 1 -> 2, N 2^10 -> 2^11 stay within limits, so they get as far as deriving
    expectCode(await decryptExport(craft({ r: 3 }), PASS), 'AUTH_FAILED');
    expectCode(await decryptExport(craft({ p: 2 }), PASS), 'AUTH_FAILED');
    expectCode(await decryptExport(craft({ logN: 11 }), PASS), 'AUTH_FAILED');
  });

  it('authenticates the whole header as GCM associated data (checked by an independent derivation)', async () => {
    // Derive the key here with node:crypto directly, as another implementation of the format
    // would, and show the tag verifies only with exactly the 55 header bytes as AAD.
    const key = scryptSync(Buffer.from(PASS), file.subarray(19, 35), 32, {
      N: 2 ** 10,
      r: 1,
      p: 1,
    });
    const open = (aad: Buffer) => {
      const d = createDecipheriv('aes-256-gcm', key, file.subarray(35, 47), { authTagLength: 16 });
      d.setAuthTag(file.subarray(file.length - 16));
      d.setAAD(aad);
      try {
        return Buffer.concat([d.update(file.subarray(EXPORT_HEADER_BYTES, -16)), d.final()]);
      } catch {
        return undefined;
      }
    };
    expect(open(file.subarray(0, EXPORT_HEADER_BYTES))?.toString('utf8')).toBe(STATE);
    expect(open(Buffer.alloc(0))).toBeUndefined();
    const header = Buffer.from(file.subarray(0, EXPORT_HEADER_BYTES));
    header[0] = (header[0] as number) ^ 1;
    expect(open(header)).toBeUndefined();
  });

  it('not an export file; an unsupported version or KDF', async () => {
    expectCode(await decryptExport(Buffer.from('{"credentials": []}'), PASS), 'NOT_AN_EXPORT');
    expectCode(await decryptExport(randomBytes(200), PASS), 'NOT_AN_EXPORT');
    const v2 = Buffer.from(file);
    v2[8] = 2;
    const message = expectCode(await decryptExport(v2, PASS), 'UNSUPPORTED_VERSION');
    expect(message).toContain('version 2');
    // a future version is recognised as such even if its header is shorter or longer
    expectCode(await decryptExport(v2.subarray(0, 9), PASS), 'UNSUPPORTED_VERSION');
    const kdf = Buffer.from(file);
    kdf[9] = 2;
    expectCode(await decryptExport(kdf, PASS), 'UNSUPPORTED_KDF');
  });

  it('truncated file, at every kind of place', async () => {
    for (const length of [0, 3, 8, 9, 30, EXPORT_HEADER_BYTES, EXPORT_HEADER_BYTES + 5]) {
      expectCode(await decryptExport(file.subarray(0, length), PASS), 'TRUNCATED');
    }
    for (let cut = 1; cut <= 16; cut++) {
      expectCode(await decryptExport(file.subarray(0, file.length - cut), PASS), 'TRUNCATED');
    }
  });

  it('bytes appended after the end', async () => {
    expectCode(await decryptExport(Buffer.concat([file, Buffer.from('x')]), PASS), 'TRAILING_DATA');
  });

  it.each([
    ['N = 2^255', { logN: 255 }],
    ['N = 2^21', { logN: 21 }],
    ['N = 2^9 (too weak)', { logN: 9 }],
    ['N = 1', { logN: 0 }],
    ['r = 0', { r: 0 }],
    ['r = 2^32-1', { r: 0xffff_ffff }],
    ['p = 0', { p: 0 }],
    ['p = 2^32-1', { p: 0xffff_ffff }],
    ['memory 1 GiB (N=2^20, r=8)', { logN: 20, r: 8 }],
    ['work 4 GiB (N=2^18, r=8, p=16)', { logN: 18, r: 8, p: 16 }],
  ])('absurd KDF parameters: %s, refused before deriving', async (_name, fields) => {
    const crafted = craft(fields);
    // parseExportHeader never derives a key, and decryptExport gives the same verdict
    const header = parseExportHeader(crafted);
    expect(header.ok ? 'ok' : header.code).toBe('KDF_PARAMS_OUT_OF_RANGE');
    const message = expectCode(await decryptExport(crafted, PASS), 'KDF_PARAMS_OUT_OF_RANGE');
    expect(message).toMatch(/out of range/);
  });

  it('oversize input: a buffer over the limit, or a header declaring a huge length', async () => {
    expectCode(await decryptExport(file, PASS, { maxBytes: file.length - 1 }), 'TOO_LARGE');
    expect((await decryptExport(file, PASS, { maxBytes: file.length })).ok).toBe(true);
    expectCode(await decryptExport(craft({ length: 2n ** 60n }), PASS), 'TOO_LARGE');
  });
});

describe('parameter limits', () => {
  it('accepts the defaults and the fast test parameters, refuses the rest', () => {
    expect(checkScryptParams(DEFAULT_SCRYPT_PARAMS)).toBeUndefined();
    expect(checkScryptParams(FAST)).toBeUndefined();
    expect(checkScryptParams({ N: SCRYPT_LIMITS.maxN, r: 4, p: 1 })).toBeUndefined();
    expect(checkScryptParams({ N: 3000, r: 8, p: 1 })).toMatch(/power of two/);
    expect(checkScryptParams({ N: 2 ** 17, r: 1.5, p: 1 })).toMatch(/r = 1.5/);
  });

  it('refuses to write with parameters out of range, an empty passphrase or too much data', async () => {
    await expect(encryptExport(STATE, PASS, { kdf: { N: 2 ** 21, r: 8, p: 1 } })).rejects.toThrow(
      RangeError,
    );
    await expect(encryptExport(STATE, '', { kdf: FAST })).rejects.toThrow(/must not be empty/);
    await expect(
      encryptExport(randomBytes(1000), PASS, { kdf: FAST, maxBytes: 500 }),
    ).rejects.toThrow(RangeError);
  });
});

describe('export files on disk', () => {
  it('writes atomically with mode 0600 and reads back', async () => {
    const path = join(root, 'airlock.export');
    writeFileSync(path, 'previous export');
    await writeExportFile(path, STATE, PASS, { kdf: FAST });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const r = await readExportFile(path, PASS);
    expect(r.ok && r.plaintext.toString('utf8')).toBe(STATE);
  });

  it('refuses a huge file from its size alone, without reading it', async () => {
    // A 3 GiB sparse file: reading it would take seconds and more memory than a Buffer may hold.
    const path = join(root, 'huge.export');
    writeFileSync(path, file);
    truncateSync(path, 3 * 2 ** 30);
    const message = expectCode(await readExportFile(path, PASS), 'TOO_LARGE');
    expect(message).toContain(String(3 * 2 ** 30));
  });

  it('reports an unreadable path, and a truncated file on disk', async () => {
    expectCode(await readExportFile(join(root, 'missing.export'), PASS), 'UNREADABLE');
    expectCode(await readExportFile(root, PASS), 'UNREADABLE'); // a directory
    const path = join(root, 'cut.export');
    writeFileSync(path, file.subarray(0, file.length - 3));
    expectCode(await readExportFile(path, PASS), 'TRUNCATED');
  });
});
