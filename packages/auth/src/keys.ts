/**
 * Profile keys: `ark_` + 24 `[a-z0-9]` (the key id, sent as the Bearer token), `:`, then a
 * 48-char `[A-Za-z0-9]` secret (the HMAC key, never sent). Every parser here checks the exact
 * format before anything else so the server can refuse malformed input before a database lookup.
 */
import { ALNUM, LOWER_ALNUM, randomString } from './random.js';

/** `ark_` + 24 lowercase alphanumerics (about 124 bits of randomness). */
export const KEY_ID_PATTERN = /^ark_[a-z0-9]{24}$/;
/** 48 alphanumerics (about 285 bits of randomness). */
export const SECRET_PATTERN = /^[A-Za-z0-9]{48}$/;
/** A whole profile key as shown once to the admin. */
export const PROFILE_KEY_PATTERN = /^ark_[a-z0-9]{24}:[A-Za-z0-9]{48}$/;

export const KEY_ID_LENGTH = 28;
export const SECRET_LENGTH = 48;

export interface ProfileKey {
  /** `ark_…` (28 chars); safe to store, log and send. */
  keyId: string;
  /** 48 chars; the HMAC key. Store encrypted (the server must recompute HMACs), never log. */
  secret: string;
  /** `keyId:secret`, the form shown once to the admin and given to an agent. */
  full: string;
}

/**
 * Generates a fresh profile key with the CSPRNG (rejection sampling, no modulo bias).
 *
 * @example
 * const { keyId, secret, full } = generateProfileKey();
 * // keyId 'ark_k3…' (28 chars), secret 48 chars, full `${keyId}:${secret}`
 */
export function generateProfileKey(): ProfileKey {
  const keyId = `ark_${randomString(LOWER_ALNUM, 24)}`;
  const secret = randomString(ALNUM, SECRET_LENGTH);
  return { keyId, secret, full: `${keyId}:${secret}` };
}

/**
 * True when `value` is a well-formed key id (`ark_` + 24 `[a-z0-9]`). Never throws.
 *
 * @example
 * isValidKeyId('ark_abcdefghijklmnopqrstuvwx'); // true
 * isValidKeyId('ARK_ABC'); // false
 */
export function isValidKeyId(value: unknown): value is string {
  return typeof value === 'string' && value.length === KEY_ID_LENGTH && KEY_ID_PATTERN.test(value);
}

/**
 * True when `value` is a well-formed profile secret (48 `[A-Za-z0-9]`). Never throws.
 *
 * @example
 * isValidSecret('x'.repeat(48)); // true
 */
export function isValidSecret(value: unknown): value is string {
  return typeof value === 'string' && value.length === SECRET_LENGTH && SECRET_PATTERN.test(value);
}

export type ParseProfileKeyResult =
  | { ok: true; keyId: string; secret: string }
  | {
      ok: false;
      reason: 'not_a_string' | 'missing_separator' | 'malformed_key_id' | 'malformed_secret';
    };

/**
 * Splits a full profile key on the first `:` (as agents do) and validates both halves strictly.
 * Surrounding whitespace is not trimmed: a key pasted with a newline is reported, not guessed.
 *
 * @example
 * const r = parseProfileKey(process.env.AIRLOCK_KEY);
 * if (r.ok) signV1(r.secret, script);
 */
export function parseProfileKey(value: unknown): ParseProfileKeyResult {
  if (typeof value !== 'string') return { ok: false, reason: 'not_a_string' };
  const i = value.indexOf(':');
  if (i < 0) return { ok: false, reason: 'missing_separator' };
  const keyId = value.slice(0, i);
  const secret = value.slice(i + 1);
  if (!isValidKeyId(keyId)) return { ok: false, reason: 'malformed_key_id' };
  if (!isValidSecret(secret)) return { ok: false, reason: 'malformed_secret' };
  return { ok: true, keyId, secret };
}

/**
 * Why a Bearer header did not yield a key id. The contract maps them to its 401 messages:
 * `missing_token` → "Missing authentication token"; `not_profile_key` → "Invalid authentication
 * token"; `malformed_key_id` → "Invalid profile key" (such a key cannot exist, so answer as for
 * an unknown key, without a database lookup).
 */
export type BearerFailureReason = 'missing_token' | 'not_profile_key' | 'malformed_key_id';

export type ParseBearerResult =
  | { ok: true; keyId: string }
  | { ok: false; reason: BearerFailureReason };

/** Longest Authorization header worth looking at; longer ones are rejected without parsing. */
const MAX_AUTH_HEADER = 1024;

/**
 * Extracts the key id from an `Authorization` header value (`Bearer ark_…`). The scheme is
 * case-insensitive (RFC 9110); the token itself is matched exactly. Never throws.
 *
 * @example
 * parseBearerKeyId('Bearer ark_abcdefghijklmnopqrstuvwx'); // { ok: true, keyId: 'ark_abc…' }
 * parseBearerKeyId(undefined); // { ok: false, reason: 'missing_token' }
 */
export function parseBearerKeyId(header: unknown): ParseBearerResult {
  if (typeof header !== 'string' || header.length === 0) {
    return { ok: false, reason: 'missing_token' };
  }
  if (header.length > MAX_AUTH_HEADER) return { ok: false, reason: 'not_profile_key' };
  const m = /^[Bb][Ee][Aa][Rr][Ee][Rr] +(\S+) *$/.exec(header);
  const token = m?.[1];
  if (token === undefined) return { ok: false, reason: 'missing_token' };
  if (!token.startsWith('ark_')) return { ok: false, reason: 'not_profile_key' };
  if (!isValidKeyId(token)) return { ok: false, reason: 'malformed_key_id' };
  return { ok: true, keyId: token };
}
