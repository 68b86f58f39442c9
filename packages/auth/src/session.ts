/**
 * Admin sessions: a token of 32 random bytes (base64url, 43 chars) given to the browser, and its
 * SHA-256 stored by the server, so a leaked database row cannot be replayed as a cookie. Because
 * the token has 256 bits of entropy, a fast unsalted hash is enough (nothing to brute-force).
 */
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_TOKEN_BYTES = 32;
/** 32 bytes in unpadded base64url. */
export const SESSION_TOKEN_LENGTH = 43;
const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface MintedSessionToken {
  /** Give to the client (cookie / Bearer); never store or log it. */
  token: string;
  /** Lowercase hex SHA-256 of the token; store this and look sessions up by it. */
  hash: string;
}

/**
 * Mints a fresh session token and the hash to store.
 *
 * @example
 * const { token, hash } = mintSessionToken();
 * db.insert(sessions).values({ tokenHash: hash, createdAt: now, lastSeenAt: now });
 * setCookie(c, 'airlock_session', token, { httpOnly: true, sameSite: 'Strict', secure: true });
 */
export function mintSessionToken(): MintedSessionToken {
  const token = randomBytes(SESSION_TOKEN_BYTES).toString('base64url');
  return { token, hash: sha256Hex(token) };
}

/**
 * True for a canonical 43-char base64url encoding of 32 bytes. Never throws.
 *
 * @example
 * isValidSessionToken(getCookie(c, 'airlock_session')); // false for undefined or junk
 */
export function isValidSessionToken(token: unknown): token is string {
  if (typeof token !== 'string' || token.length !== SESSION_TOKEN_LENGTH) return false;
  if (!SESSION_TOKEN_PATTERN.test(token)) return false;
  // The last character carries 4 bits of padding that must be zero in the canonical form.
  return Buffer.from(token, 'base64url').toString('base64url') === token;
}

/**
 * The storage hash of a presented token, or `null` when the token is malformed (answer 401
 * without a database lookup). Lookups by this hash need no constant-time compare: the hash of a
 * guess reveals nothing useful about stored hashes.
 *
 * @example
 * const h = hashSessionToken(cookie);
 * const session = h === null ? undefined : findSessionByHash(h);
 */
export function hashSessionToken(token: unknown): string | null {
  return isValidSessionToken(token) ? sha256Hex(token) : null;
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

export interface SessionTimes {
  /** When the session was created, Unix seconds. */
  createdAtSec: number;
  /** Last authenticated request, Unix seconds. */
  lastSeenAtSec: number;
  nowSec: number;
  /** Inactivity limit, seconds (e.g. 12 h). */
  idleTimeoutSec: number;
  /** Lifetime limit regardless of activity, seconds (e.g. 7 days). */
  absoluteTimeoutSec: number;
}

export type SessionState = 'active' | 'idle_expired' | 'absolute_expired';

/**
 * Whether a session is still usable under idle and absolute expiry. Boundaries are exclusive: a
 * session is expired once exactly the timeout has elapsed.
 *
 * @example
 * sessionState({ createdAtSec, lastSeenAtSec, nowSec, idleTimeoutSec: 43_200,
 *   absoluteTimeoutSec: 604_800 }); // 'active'
 */
export function sessionState(t: SessionTimes): SessionState {
  if (t.nowSec - t.createdAtSec >= t.absoluteTimeoutSec) return 'absolute_expired';
  if (t.nowSec - t.lastSeenAtSec >= t.idleTimeoutSec) return 'idle_expired';
  return 'active';
}
