/**
 * The passphrase export format (ADR 0012): the whole state, encrypted under a key derived from
 * the user's passphrase with scrypt, so it can be carried to another host. All integers are
 * big-endian.
 *
 * ```
 * offset  size  field
 * 0       8     magic "AIRLOCKX"
 * 8       1     format version, 1
 * 9       1     KDF id, 1 = scrypt
 * 10      1     log2(N)
 * 11      4     r
 * 15      4     p
 * 19      16    salt (random)
 * 35      12    nonce (random)
 * 47      8     ciphertext length L
 * 55      L     ciphertext (AES-256-GCM)
 * 55+L    16    tag
 * ```
 *
 * The whole 55-byte header is the GCM associated data, so editing any header byte (a weaker N,
 * another salt, a different length) fails authentication. Everything an attacker could use to
 * make us waste time or memory (file size, declared length, N, r, p) is checked before scrypt
 * runs, and scrypt runs asynchronously so the server's event loop stays free.
 */
import { createSecretKey, randomBytes, type ScryptOptions, scrypt } from 'node:crypto';
import { gcmOpen, gcmSeal, KEY_BYTES, NONCE_BYTES, TAG_BYTES } from './gcm.js';

export const EXPORT_MAGIC = Buffer.from('AIRLOCKX', 'ascii');
export const EXPORT_FORMAT_VERSION = 1;
export const KDF_SCRYPT = 1;
export const EXPORT_SALT_BYTES = 16;
export const EXPORT_HEADER_BYTES = 55;
const OFF_VERSION = 8;
const OFF_KDF = 9;
const OFF_LOG_N = 10;
const OFF_R = 11;
const OFF_P = 15;
const OFF_SALT = 19;
const OFF_NONCE = OFF_SALT + EXPORT_SALT_BYTES;
const OFF_LENGTH = OFF_NONCE + NONCE_BYTES;

/** scrypt cost parameters. `N` must be a power of two. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** The defaults from security.md: N = 2^17, r = 8, p = 1 (128 MiB, a few hundred ms). */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({
  N: 2 ** 17,
  r: 8,
  p: 1,
});

/**
 * What any export (written or read) may ask of scrypt. Reading enforces the same bounds before
 * deriving, so a crafted file cannot demand gigabytes or minutes. The minimum exists so tests can
 * run fast; real exports use the defaults.
 */
export const SCRYPT_LIMITS = Object.freeze({
  minN: 2 ** 10,
  maxN: 2 ** 20,
  maxR: 32,
  maxP: 16,
  /** 128·N·r: the memory scrypt needs. 4× the default. */
  maxMemoryBytes: 512 * 2 ** 20,
  /** 128·N·r·p: proportional to the time scrypt takes. 16× the default. */
  maxWorkBytes: 2 * 2 ** 30,
});

/** Default largest export file accepted: 256 MiB. */
export const DEFAULT_MAX_EXPORT_BYTES = 256 * 2 ** 20;

export type ExportErrorCode =
  | 'NOT_AN_EXPORT'
  | 'UNSUPPORTED_VERSION'
  | 'UNSUPPORTED_KDF'
  | 'TRUNCATED'
  | 'TRAILING_DATA'
  | 'TOO_LARGE'
  | 'KDF_PARAMS_OUT_OF_RANGE'
  | 'AUTH_FAILED'
  | 'UNREADABLE';

export interface ExportError {
  ok: false;
  code: ExportErrorCode;
  /** A sentence for the user; never contains the passphrase or plaintext. */
  message: string;
}

export interface ExportHeader {
  version: number;
  kdf: 'scrypt';
  params: ScryptParams;
  salt: Buffer;
  nonce: Buffer;
  ciphertextLength: number;
}

export type ExportHeaderResult = { ok: true; header: ExportHeader } | ExportError;
export type ExportOpenResult = { ok: true; plaintext: Buffer; header: ExportHeader } | ExportError;

export interface EncryptExportOptions {
  /** scrypt parameters, within {@link SCRYPT_LIMITS}; defaults to {@link DEFAULT_SCRYPT_PARAMS}. */
  kdf?: ScryptParams;
  /** Largest file to produce; defaults to {@link DEFAULT_MAX_EXPORT_BYTES}. */
  maxBytes?: number;
}

export interface DecryptExportOptions {
  /** Largest file accepted; defaults to {@link DEFAULT_MAX_EXPORT_BYTES}. */
  maxBytes?: number;
}

/**
 * Encrypts `plaintext` (e.g. the JSON of the whole state) under `passphrase`. Throws
 * `RangeError` for an empty passphrase, parameters outside {@link SCRYPT_LIMITS} or a plaintext
 * too large for `maxBytes`: those are caller errors.
 *
 * @example
 * const file = await encryptExport(JSON.stringify(state), passphrase);
 * await writeFileAtomic('/backups/airlock.export', file);
 */
export async function encryptExport(
  plaintext: Uint8Array | string,
  passphrase: string,
  options: EncryptExportOptions = {},
): Promise<Buffer> {
  const params = options.kdf ?? DEFAULT_SCRYPT_PARAMS;
  const problem = checkScryptParams(params);
  if (problem !== undefined) throw new RangeError(`scrypt parameters out of range: ${problem}`);
  const pass = passphraseBytes(passphrase);
  if (pass.length === 0) throw new RangeError('the export passphrase must not be empty');
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const maxBytes = checkMaxBytes(options.maxBytes);
  if (EXPORT_HEADER_BYTES + data.length + TAG_BYTES > maxBytes) {
    throw new RangeError(`the export would exceed ${maxBytes} bytes`);
  }

  const salt = randomBytes(EXPORT_SALT_BYTES);
  const header = Buffer.alloc(EXPORT_HEADER_BYTES);
  EXPORT_MAGIC.copy(header, 0);
  header[OFF_VERSION] = EXPORT_FORMAT_VERSION;
  header[OFF_KDF] = KDF_SCRYPT;
  header[OFF_LOG_N] = Math.log2(params.N);
  header.writeUInt32BE(params.r, OFF_R);
  header.writeUInt32BE(params.p, OFF_P);
  salt.copy(header, OFF_SALT);
  header.writeBigUInt64BE(BigInt(data.length), OFF_LENGTH);

  const derived = await deriveKey(pass, salt, params);
  pass.fill(0); // best effort: the string itself cannot be wiped
  const key = createSecretKey(derived);
  derived.fill(0);
  // The nonce is part of the header, and the header is the AAD: draw it before sealing.
  const nonce = randomBytes(NONCE_BYTES);
  nonce.copy(header, OFF_NONCE);
  const { ciphertext, tag } = gcmSeal(key, data, header, nonce);
  return Buffer.concat([header, ciphertext, tag]);
}

/**
 * Checks everything that can be checked without the passphrase: magic, version, KDF id and
 * parameters, sizes. Cheap; {@link decryptExport} calls it before deriving any key.
 *
 * @example
 * const h = parseExportHeader(upload);
 * if (!h.ok) return c.json({ detail: h.message }, 422);
 */
export function parseExportHeader(
  file: Uint8Array,
  options: DecryptExportOptions = {},
): ExportHeaderResult {
  const maxBytes = checkMaxBytes(options.maxBytes);
  if (file.length > maxBytes) {
    return fail('TOO_LARGE', `The file is ${file.length} bytes; the limit is ${maxBytes} bytes.`);
  }
  const b = Buffer.from(file.buffer, file.byteOffset, file.length);
  if (b.length === 0) return fail('TRUNCATED', 'The file is empty.');
  const magicPart = b.subarray(0, Math.min(b.length, EXPORT_MAGIC.length));
  if (!magicPart.equals(EXPORT_MAGIC.subarray(0, magicPart.length))) {
    return fail('NOT_AN_EXPORT', 'This is not an Airlock export file.');
  }
  if (b.length <= OFF_VERSION) {
    return fail('TRUNCATED', 'The export file is truncated (it ends inside its header).');
  }
  const version = b[OFF_VERSION] as number;
  if (version !== EXPORT_FORMAT_VERSION) {
    return fail(
      'UNSUPPORTED_VERSION',
      `This export uses format version ${version}; this Airlock reads version ` +
        `${EXPORT_FORMAT_VERSION}. Use an Airlock release that supports it.`,
    );
  }
  if (b.length < EXPORT_HEADER_BYTES) {
    return fail('TRUNCATED', 'The export file is truncated (it ends inside its header).');
  }
  const kdf = b[OFF_KDF] as number;
  if (kdf !== KDF_SCRYPT) {
    return fail(
      'UNSUPPORTED_KDF',
      `This export uses key derivation ${kdf}, which is not supported.`,
    );
  }
  const logN = b[OFF_LOG_N] as number;
  const params: ScryptParams = {
    // 2 ** 255 is a finite double, so even a crafted logN compares cleanly against the limits.
    N: 2 ** logN,
    r: b.readUInt32BE(OFF_R),
    p: b.readUInt32BE(OFF_P),
  };
  const problem = checkScryptParams(params);
  if (problem !== undefined) {
    return fail(
      'KDF_PARAMS_OUT_OF_RANGE',
      `The export's key-derivation parameters are out of range (${problem}); refusing to derive a key.`,
    );
  }
  const declared = b.readBigUInt64BE(OFF_LENGTH);
  if (declared > BigInt(maxBytes)) {
    return fail(
      'TOO_LARGE',
      `The export declares ${declared} bytes; the limit is ${maxBytes} bytes.`,
    );
  }
  const ciphertextLength = Number(declared);
  const expected = EXPORT_HEADER_BYTES + ciphertextLength + TAG_BYTES;
  if (b.length < expected) {
    return fail(
      'TRUNCATED',
      `The export file is truncated: it is ${b.length} bytes, its header says ${expected}.`,
    );
  }
  if (b.length > expected) {
    return fail(
      'TRAILING_DATA',
      `The export file has ${b.length - expected} unexpected bytes after its end: it was modified ` +
        'or joined with other data.',
    );
  }
  return {
    ok: true,
    header: {
      version,
      kdf: 'scrypt',
      params,
      salt: Buffer.from(b.subarray(OFF_SALT, OFF_SALT + EXPORT_SALT_BYTES)),
      nonce: Buffer.from(b.subarray(OFF_NONCE, OFF_NONCE + NONCE_BYTES)),
      ciphertextLength,
    },
  };
}

/**
 * Decrypts an export. Every expected problem is a result with its own code: not an export,
 * unsupported version or KDF, truncated, trailing data, too large, parameters out of range (all
 * found before deriving), and `AUTH_FAILED` ("wrong passphrase, or the file was modified").
 *
 * @example
 * const r = await decryptExport(upload, passphrase);
 * if (!r.ok) return c.json({ detail: r.message, code: r.code }, 422);
 * const state = JSON.parse(r.plaintext.toString('utf8'));
 */
export async function decryptExport(
  file: Uint8Array,
  passphrase: string,
  options: DecryptExportOptions = {},
): Promise<ExportOpenResult> {
  const parsed = parseExportHeader(file, options);
  if (!parsed.ok) return parsed;
  const { header } = parsed;
  const b = Buffer.from(file.buffer, file.byteOffset, file.length);
  const pass = passphraseBytes(passphrase);
  const derived = await deriveKey(pass, header.salt, header.params);
  pass.fill(0);
  const key = createSecretKey(derived);
  derived.fill(0);
  const plaintext = gcmOpen(
    key,
    header.nonce,
    b.subarray(EXPORT_HEADER_BYTES, EXPORT_HEADER_BYTES + header.ciphertextLength),
    b.subarray(EXPORT_HEADER_BYTES + header.ciphertextLength),
    b.subarray(0, EXPORT_HEADER_BYTES),
  );
  if (plaintext === undefined) {
    return fail(
      'AUTH_FAILED',
      'Could not decrypt the export: wrong passphrase or the file was modified.',
    );
  }
  return { ok: true, plaintext, header };
}

/** Returns why `params` are not acceptable, or `undefined` when they are. */
export function checkScryptParams(params: ScryptParams): string | undefined {
  const { N, r, p } = params;
  const L = SCRYPT_LIMITS;
  if (!Number.isSafeInteger(N) || N < L.minN || N > L.maxN || !isPowerOfTwo(N)) {
    return `N = ${N} must be a power of two from 2^10 to 2^20`;
  }
  if (!Number.isSafeInteger(r) || r < 1 || r > L.maxR) return `r = ${r} must be 1..${L.maxR}`;
  if (!Number.isSafeInteger(p) || p < 1 || p > L.maxP) return `p = ${p} must be 1..${L.maxP}`;
  if (128 * N * r > L.maxMemoryBytes) {
    return `128·N·r = ${128 * N * r} bytes of memory exceeds ${L.maxMemoryBytes}`;
  }
  if (128 * N * r * p > L.maxWorkBytes) {
    return `128·N·r·p = ${128 * N * r * p} exceeds ${L.maxWorkBytes}`;
  }
  return undefined;
}

function deriveKey(passphrase: Buffer, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const { N, r, p } = params;
  const options: ScryptOptions = {
    N,
    r,
    p,
    // OpenSSL needs 128·r·(N + p + 2) bytes; Node's default cap (32 MiB) is below the defaults'.
    maxmem: 128 * r * (N + p + 2) + 2 ** 20,
  };
  return new Promise((resolve, reject) => {
    scrypt(passphrase, salt, KEY_BYTES, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** NFC so the same passphrase typed on different systems gives the same bytes. */
function passphraseBytes(passphrase: string): Buffer {
  if (typeof passphrase !== 'string') throw new TypeError('the passphrase must be a string');
  return Buffer.from(passphrase.normalize('NFC'), 'utf8');
}

/** Validates the `maxBytes` option (throws `RangeError`) and applies the default. */
export function checkMaxBytes(maxBytes: number | undefined): number {
  const value = maxBytes ?? DEFAULT_MAX_EXPORT_BYTES;
  if (!Number.isSafeInteger(value) || value < EXPORT_HEADER_BYTES + TAG_BYTES) {
    throw new RangeError(
      `maxBytes must be an integer of at least ${EXPORT_HEADER_BYTES + TAG_BYTES}`,
    );
  }
  return value;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function fail(code: ExportErrorCode, message: string): ExportError {
  return { ok: false, code, message };
}
