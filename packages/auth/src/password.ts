/**
 * Admin password hashing with scrypt (node:crypto), stored as a self-describing string:
 *
 *   scrypt$<N>$<r>$<p>$<salt, base64url>$<hash, base64url>
 *
 * e.g. `scrypt$131072$8$1$9yV…$Qm3…`. The parameters travel with the hash so they can be raised
 * later ({@link needsRehash}); they are parsed with hard limits, so a tampered string cannot make
 * the server allocate gigabytes or spin for minutes. See docs/adr/0023-admin-password-hashing.md.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/** OWASP's scrypt recommendation (N = 2^17, r = 8, p = 1): 128 MiB and roughly 0.2–0.5 s. */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({
  N: 2 ** 17,
  r: 8,
  p: 1,
});

/** Limits applied when parsing a stored hash and when hashing with custom parameters. */
export const SCRYPT_LIMITS = Object.freeze({
  minN: 2 ** 14,
  maxN: 2 ** 20,
  maxR: 32,
  maxP: 16,
  /** scrypt needs about 128 · N · r bytes. */
  maxMemoryBytes: 256 * 2 ** 20,
  /** Bounds total work (N · r · p): at most 4× the defaults, so p cannot multiply the time. */
  maxWork: 2 ** 22,
  saltBytes: { min: 16, max: 64 },
  hashBytes: { min: 32, max: 64 },
  maxEncodedLength: 512,
});

const SALT_BYTES = 16;
const HASH_BYTES = 32;

/** Password length policy, in Unicode code points after NFKC normalisation. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;

function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/**
 * NFKC so that the same password typed on two keyboards (composed vs decomposed accents,
 * full-width digits) hashes the same, as NIST SP 800-63B recommends.
 */
function normalize(password: string): string {
  return password.normalize('NFKC');
}

export type PasswordPolicyResult =
  | { ok: true }
  | {
      ok: false;
      reason: 'not_a_string' | 'too_short' | 'too_long' | 'invalid_characters';
      message: string;
    };

/**
 * The admin password policy: at least 12 characters (code points, after NFKC), at most 1024, no
 * lone surrogates or NUL. No composition rules (NIST SP 800-63B): length is what resists guessing,
 * and a 12-character minimum keeps an offline attack on a stolen scrypt hash out of reach for any
 * password that is not a common phrase. Messages are safe to show to the user.
 *
 * @example
 * const r = checkPasswordPolicy(body.password);
 * if (!r.ok) throw new ValidationError(r.message);
 */
export function checkPasswordPolicy(password: unknown): PasswordPolicyResult {
  if (typeof password !== 'string') {
    return { ok: false, reason: 'not_a_string', message: 'Password must be a string' };
  }
  if (!isWellFormed(password) || password.includes('\0')) {
    return {
      ok: false,
      reason: 'invalid_characters',
      message: 'Password contains invalid characters',
    };
  }
  if (password.length > PASSWORD_MAX_LENGTH * 2) {
    return {
      ok: false,
      reason: 'too_long',
      message: `Password must be at most ${PASSWORD_MAX_LENGTH} characters`,
    };
  }
  const length = [...normalize(password)].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return {
      ok: false,
      reason: 'too_short',
      message: `Password must be at least ${PASSWORD_MIN_LENGTH} characters`,
    };
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return {
      ok: false,
      reason: 'too_long',
      message: `Password must be at most ${PASSWORD_MAX_LENGTH} characters`,
    };
  }
  return { ok: true };
}

function paramsError(params: ScryptParams): string | undefined {
  const { N, r, p } = params;
  const L = SCRYPT_LIMITS;
  if (!Number.isSafeInteger(N) || N < L.minN || N > L.maxN || (N & (N - 1)) !== 0) {
    return `N must be a power of two in ${L.minN}..${L.maxN}`;
  }
  if (!Number.isSafeInteger(r) || r < 1 || r > L.maxR) return `r must be in 1..${L.maxR}`;
  if (!Number.isSafeInteger(p) || p < 1 || p > L.maxP) return `p must be in 1..${L.maxP}`;
  if (128 * N * r > L.maxMemoryBytes) return 'N · r needs more memory than allowed';
  if (N * r * p > L.maxWork) return 'N · r · p is more work than allowed';
  return undefined;
}

function scryptAsync(
  password: string,
  salt: Buffer,
  keylen: number,
  params: ScryptParams,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem defaults to 32 MiB in Node, below the 128 MiB the default parameters need.
    const maxmem = 128 * params.N * params.r * 2;
    scrypt(
      password,
      salt,
      keylen,
      { N: params.N, r: params.r, p: params.p, maxmem },
      (err, key) => {
        if (err) reject(err);
        else resolve(key);
      },
    );
  });
}

/**
 * Hashes a password with a fresh random salt. Throws on a non-string, a password outside the
 * policy's length bounds or with invalid characters (validate with {@link checkPasswordPolicy}
 * first), and on parameters outside {@link SCRYPT_LIMITS}.
 *
 * @example
 * const stored = await hashPassword('correct horse battery staple');
 * // 'scrypt$131072$8$1$…$…'
 */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  const policy = checkPasswordPolicy(password);
  if (!policy.ok && policy.reason !== 'too_short') {
    // Too short is a policy for new passwords, not a property of hashing; the rest would hash badly.
    throw new TypeError(`hashPassword: ${policy.message}`);
  }
  const err = paramsError(params);
  if (err) throw new RangeError(`hashPassword: ${err}`);
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(normalize(password), salt, HASH_BYTES, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export interface ParsedPasswordHash extends ScryptParams {
  salt: Buffer;
  hash: Buffer;
}

const B64URL = /^[A-Za-z0-9_-]+$/;
const DECIMAL = /^[1-9][0-9]{0,9}$/;

function decodeB64url(s: string, min: number, max: number): Buffer | undefined {
  if (!B64URL.test(s)) return undefined;
  const buf = Buffer.from(s, 'base64url');
  // Round trip rejects non-canonical encodings (stray bits in the last character).
  if (buf.toString('base64url') !== s || buf.length < min || buf.length > max) return undefined;
  return buf;
}

export type ParsePasswordHashResult =
  | { ok: true; value: ParsedPasswordHash }
  | { ok: false; reason: 'malformed_hash' | 'params_out_of_range' };

/**
 * Parses a stored hash string, enforcing {@link SCRYPT_LIMITS} before any derivation could run.
 *
 * @example
 * const r = parsePasswordHash(stored);
 * if (r.ok) console.log(r.value.N); // 131072
 */
export function parsePasswordHash(stored: unknown): ParsePasswordHashResult {
  if (typeof stored !== 'string' || stored.length > SCRYPT_LIMITS.maxEncodedLength) {
    return { ok: false, reason: 'malformed_hash' };
  }
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return { ok: false, reason: 'malformed_hash' };
  const [, n, r, p, saltText, hashText] = parts as [string, string, string, string, string, string];
  if (!DECIMAL.test(n) || !DECIMAL.test(r) || !DECIMAL.test(p)) {
    return { ok: false, reason: 'malformed_hash' };
  }
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (paramsError(params) !== undefined) return { ok: false, reason: 'params_out_of_range' };
  const L = SCRYPT_LIMITS;
  const salt = decodeB64url(saltText, L.saltBytes.min, L.saltBytes.max);
  const hash = decodeB64url(hashText, L.hashBytes.min, L.hashBytes.max);
  if (!salt || !hash) return { ok: false, reason: 'malformed_hash' };
  return { ok: true, value: { ...params, salt, hash } };
}

export type PasswordVerifyResult =
  | { ok: true; needsRehash: boolean }
  | {
      ok: false;
      reason: 'mismatch' | 'malformed_password' | 'malformed_hash' | 'params_out_of_range';
    };

/**
 * Verifies a password against a stored hash in constant time. Never throws on bad input: a
 * non-string or oversized password, or a corrupted or tampered hash string, is a result (log the
 * reason; answer every failure with the same 401). On success, `needsRehash` says whether to
 * store a fresh hash with `currentParams` (default {@link DEFAULT_SCRYPT_PARAMS}).
 *
 * @example
 * const r = await verifyPassword(body.password, admin.passwordHash);
 * if (!r.ok) return unauthorized('Invalid password');
 * if (r.needsRehash) await saveHash(await hashPassword(body.password));
 */
export async function verifyPassword(
  password: unknown,
  stored: unknown,
  currentParams: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<PasswordVerifyResult> {
  const parsed = parsePasswordHash(stored);
  if (!parsed.ok) return parsed;
  if (
    typeof password !== 'string' ||
    password.length > PASSWORD_MAX_LENGTH * 2 ||
    !isWellFormed(password)
  ) {
    return { ok: false, reason: 'malformed_password' };
  }
  const { salt, hash } = parsed.value;
  const derived = await scryptAsync(normalize(password), salt, hash.length, parsed.value);
  if (!timingSafeEqual(derived, hash)) return { ok: false, reason: 'mismatch' };
  return { ok: true, needsRehash: needsRehash(stored as string, currentParams) };
}

/**
 * True when a stored hash should be replaced at the next successful login: it does not parse, or
 * its parameters, salt or hash length differ from the current ones.
 *
 * @example
 * if (needsRehash(admin.passwordHash)) { … }
 */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const parsed = parsePasswordHash(stored);
  if (!parsed.ok) return true;
  const v = parsed.value;
  return (
    v.N !== params.N ||
    v.r !== params.r ||
    v.p !== params.p ||
    v.salt.length !== SALT_BYTES ||
    v.hash.length !== HASH_BYTES
  );
}
