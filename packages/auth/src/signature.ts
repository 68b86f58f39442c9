/**
 * Request signatures, as docs/contract.md ("Execute") and docs/agent-guide.md define them.
 *
 * - Version 1: `hash` = lowercase hex HMAC-SHA256(key = UTF-8 secret, message = UTF-8 script).
 * - Version 2: the same HMAC over `"AIRLOCK/2 EXECUTE\n" + timestamp + "\n" + nonce + "\n" +
 *   script`, with the timestamp and nonce also sent as the `X-Airlock-Timestamp` /
 *   `X-Airlock-Nonce` headers.
 * - Signed API requests (`signApiRequest`): the HMAC over `"AIRLOCK/2 REQUEST\n" + METHOD + "\n"
 *   + path with query + "\n" + hex SHA-256 of the body + "\n" + timestamp + "\n" + nonce`, sent
 *   as `X-Airlock-Signature` with the same two headers.
 *
 * Domain separation: every message but version 1's starts with `AIRLOCK/`, and a version-1 script
 * may not (`reserved_prefix`), so nothing signed for version 2 or for a request verifies as a
 * version-1 script, and the two tagged messages differ in their first line.
 *
 * What is accepted (see docs/adr/0021-request-signatures.md):
 * - `hash`: exactly 64 lowercase hex chars. Uppercase is rejected as `malformed_signature` (the
 *   contract says lowercase; one spelling keeps the check simple and the nonce/idempotency story
 *   unambiguous). It is never an exception.
 * - timestamp: Unix seconds as a canonical decimal string, `0` or `[1-9][0-9]{0,14}` (no sign,
 *   no leading zeros, no fraction, no spaces). A millisecond timestamp parses and then fails the
 *   window, which is the more helpful log line.
 * - nonce: lowercase hex of 16 to 64 bytes, i.e. 32..128 chars of even length.
 * - window: `|now - timestamp| <= 300` whole seconds is accepted (so ±300 passes, ±301 fails).
 *
 * Order of checks: formats, then the HMAC (constant time), then the window. A request with a bad
 * signature is therefore always `mismatch`, and `timestamp_out_of_window` means the sender held the
 * secret but its clock (or its retry) is off, which is the useful thing to log.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'X-Airlock-Timestamp';
export const NONCE_HEADER = 'X-Airlock-Nonce';
export const SIGNATURE_HEADER = 'X-Airlock-Signature';
/** The first line of a version-2 execute message. */
export const EXECUTE_V2_TAG = 'AIRLOCK/2 EXECUTE';
/** The first line of a signed API request message. */
export const REQUEST_TAG = 'AIRLOCK/2 REQUEST';
/** Every tagged message starts with this; a version-1 script must not. */
export const RESERVED_SCRIPT_PREFIX = 'AIRLOCK/';
/** Seconds a version 2 timestamp may be away from the server's clock, either way. */
export const DEFAULT_WINDOW_SECONDS = 300;

/** 64 lowercase hex chars: a SHA-256 HMAC. */
export const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;
/** Canonical Unix seconds: no sign, no leading zero, at most 15 digits (a safe integer). */
export const TIMESTAMP_PATTERN = /^(?:0|[1-9][0-9]{0,14})$/;
/** Lowercase hex of 16..64 bytes. */
export const NONCE_PATTERN = /^(?:[0-9a-f]{2}){16,64}$/;
export const NONCE_MIN_HEX = 32;
export const NONCE_MAX_HEX = 128;

/** Milliseconds since the Unix epoch, like `Date.now`; injected so tests control time. */
export type Clock = () => number;

function assertSecret(secret: unknown, where: string): asserts secret is string {
  // The secret comes from the caller's own store, not from the request: a bad one is a bug.
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new TypeError(`${where}: secret must be a non-empty string`);
  }
}

/**
 * A lone surrogate cannot be encoded as UTF-8; Node would silently turn it into U+FFFD, so two
 * different scripts would share a signature. Such scripts are refused on both sides.
 */
function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

function hmacDigest(secret: string, parts: readonly string[]): Buffer {
  const h = createHmac('sha256', Buffer.from(secret, 'utf8'));
  // Update part by part rather than concatenating, so a large script is not copied again.
  for (const p of parts) h.update(p, 'utf8');
  return h.digest();
}

function v2Parts(timestamp: string, nonce: string, script: string): string[] {
  return [EXECUTE_V2_TAG, '\n', timestamp, '\n', nonce, '\n', script];
}

/**
 * Version 1 signature: lowercase hex HMAC-SHA256 of the script under the secret.
 *
 * @example
 * const hash = signV1(secret, 'print("hi")');
 * await fetch(`${url}/execute`, { method: 'POST', headers: { Authorization: `Bearer ${keyId}` },
 *   body: JSON.stringify({ script: 'print("hi")', hash }) });
 */
export function signV1(secret: string, script: string): string {
  assertSecret(secret, 'signV1');
  if (typeof script !== 'string' || !isWellFormed(script)) {
    throw new TypeError('signV1: script must be a string without lone surrogates');
  }
  if (script.startsWith(RESERVED_SCRIPT_PREFIX)) {
    throw new TypeError(`signV1: a version-1 script may not start with ${RESERVED_SCRIPT_PREFIX}`);
  }
  return hmacDigest(secret, [script]).toString('hex');
}

export interface SignV2Options {
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** Lowercase hex, 32..128 chars of even length; defaults to 16 fresh random bytes. */
  nonce?: string;
  /** Used for the default timestamp. */
  now?: Clock;
}

export interface SignedV2 {
  /** Goes in the JSON body as `hash`. */
  hash: string;
  timestamp: string;
  nonce: string;
  /** Ready to merge into the request headers. */
  headers: { 'X-Airlock-Timestamp': string; 'X-Airlock-Nonce': string };
}

/**
 * Version 2 signature (replay-protected). Use a fresh nonce per logical request; reuse the same
 * signed values when retrying that request so the server answers with the original execution.
 *
 * @example
 * const s = signV2(secret, script);
 * await fetch(`${url}/execute`, { method: 'POST',
 *   headers: { Authorization: `Bearer ${keyId}`, 'Content-Type': 'application/json', ...s.headers },
 *   body: JSON.stringify({ script, hash: s.hash }) });
 */
export function signV2(secret: string, script: string, options: SignV2Options = {}): SignedV2 {
  assertSecret(secret, 'signV2');
  if (typeof script !== 'string' || !isWellFormed(script)) {
    throw new TypeError('signV2: script must be a string without lone surrogates');
  }
  const { timestamp, nonce } = freshStamp(options, 'signV2');
  const hash = hmacDigest(secret, v2Parts(timestamp, nonce, script)).toString('hex');
  return {
    hash,
    timestamp,
    nonce,
    headers: { 'X-Airlock-Timestamp': timestamp, 'X-Airlock-Nonce': nonce },
  };
}

/** What the server received. Values are `unknown`: they come straight from the request. */
export interface SignedRequest {
  script: unknown;
  /** The body's `hash`. */
  hash: unknown;
  /** `X-Airlock-Timestamp`; `undefined`/`null` when the header is absent. */
  timestamp?: unknown;
  /** `X-Airlock-Nonce`; `undefined`/`null` when the header is absent. */
  nonce?: unknown;
}

export interface VerifyOptions {
  now?: Clock;
  /** Defaults to 300. */
  windowSeconds?: number;
  /** Refuse version 1 (a per-profile admin setting). */
  requireV2?: boolean;
}

export type SignatureFailureReason =
  | 'malformed_script'
  | 'reserved_prefix'
  | 'malformed_signature'
  | 'malformed_timestamp'
  | 'malformed_nonce'
  | 'v2_required'
  | 'mismatch'
  | 'timestamp_out_of_window';

export type VerifySignatureResult =
  | { ok: true; version: 1 }
  | { ok: true; version: 2; timestamp: number; nonce: string }
  | { ok: false; reason: SignatureFailureReason };

function windowOf(options: VerifyOptions): number {
  const w = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  if (!Number.isSafeInteger(w) || w < 1) {
    throw new RangeError('verify: windowSeconds must be a positive integer');
  }
  return w;
}

const isSignatureHex = (v: unknown): v is string =>
  typeof v === 'string' && v.length === 64 && SIGNATURE_PATTERN.test(v);
// Lengths first: a huge header is rejected without running a regex over it.
const isTimestamp = (v: unknown): v is string =>
  typeof v === 'string' && v.length <= 15 && TIMESTAMP_PATTERN.test(v);
const isNonce = (v: unknown): v is string =>
  typeof v === 'string' &&
  v.length >= NONCE_MIN_HEX &&
  v.length <= NONCE_MAX_HEX &&
  NONCE_PATTERN.test(v);

/** The signing-side timestamp and nonce: given, or now and 16 fresh random bytes. */
function freshStamp(options: SignV2Options, where: string): { timestamp: string; nonce: string } {
  const ts = options.timestamp ?? Math.floor((options.now ?? Date.now)() / 1000);
  if (!Number.isSafeInteger(ts) || ts < 0) {
    throw new RangeError(`${where}: timestamp must be a non-negative integer of Unix seconds`);
  }
  const nonce = options.nonce ?? randomBytes(16).toString('hex');
  if (!NONCE_PATTERN.test(nonce)) {
    throw new RangeError(`${where}: nonce must be lowercase hex, 32..128 chars, even length`);
  }
  return { timestamp: String(ts), nonce };
}

/**
 * Current Unix seconds from the clock; a clock that returns garbage is a bug, so it throws.
 *
 * @example
 * unixSeconds(() => 1_800_000_000_999); // 1800000000
 */
export function unixSeconds(now: Clock = Date.now): number {
  const ms = now();
  if (!Number.isFinite(ms)) throw new TypeError('clock returned a non-finite value');
  return Math.floor(ms / 1000);
}

/**
 * Checks a request's signature (version 1, or version 2 when either header is present) without
 * touching any replay state. Constant-time comparison after a strict format check; never throws
 * on anything taken from the request. Most servers want {@link verifyRequest}, which adds the
 * replay guard.
 *
 * @example
 * const r = verifySignature(secret, { script: body.script, hash: body.hash,
 *   timestamp: c.req.header('x-airlock-timestamp'), nonce: c.req.header('x-airlock-nonce') });
 * if (!r.ok) log.info({ reason: r.reason }, 'signature rejected'); // answer 403
 */
export function verifySignature(
  secret: string,
  request: SignedRequest,
  options: VerifyOptions = {},
): VerifySignatureResult {
  assertSecret(secret, 'verifySignature');
  const window = windowOf(options);
  const { script, hash, timestamp, nonce } = request;
  if (typeof script !== 'string' || !isWellFormed(script)) {
    return { ok: false, reason: 'malformed_script' };
  }
  if (!isSignatureHex(hash)) return { ok: false, reason: 'malformed_signature' };
  const provided = Buffer.from(hash, 'hex');

  const isV2 =
    (timestamp !== undefined && timestamp !== null) || (nonce !== undefined && nonce !== null);
  if (!isV2) {
    if (options.requireV2) return { ok: false, reason: 'v2_required' };
    // A tagged message (a captured version-2 or request signature) is never a version-1 script.
    if (script.startsWith(RESERVED_SCRIPT_PREFIX)) return { ok: false, reason: 'reserved_prefix' };
    const expected = hmacDigest(secret, [script]);
    return timingSafeEqual(expected, provided)
      ? { ok: true, version: 1 }
      : { ok: false, reason: 'mismatch' };
  }

  if (!isTimestamp(timestamp)) return { ok: false, reason: 'malformed_timestamp' };
  if (!isNonce(nonce)) return { ok: false, reason: 'malformed_nonce' };
  const expected = hmacDigest(secret, v2Parts(timestamp, nonce, script));
  if (!timingSafeEqual(expected, provided)) return { ok: false, reason: 'mismatch' };
  const ts = Number(timestamp);
  if (Math.abs(unixSeconds(options.now) - ts) > window) {
    return { ok: false, reason: 'timestamp_out_of_window' };
  }
  return { ok: true, version: 2, timestamp: ts, nonce };
}

/** Methods a signed API request may use. */
const METHOD_PATTERN = /^[A-Z]{1,16}$/;
/** A request target: an absolute path, optional query, printable ASCII only (percent-encoded). */
const TARGET_PATTERN = /^\/[\x21-\x7e]*$/;

function bodyDigest(body: string | Uint8Array): string {
  const h = createHash('sha256');
  if (typeof body === 'string') h.update(body, 'utf8');
  else h.update(body);
  return h.digest('hex');
}

function requestParts(
  method: string,
  target: string,
  digest: string,
  timestamp: string,
  nonce: string,
): string[] {
  return [REQUEST_TAG, '\n', method, '\n', target, '\n', digest, '\n', timestamp, '\n', nonce];
}

export interface ApiRequest {
  /** Upper case, e.g. `GET`. */
  method: string;
  /** The path and query exactly as sent in the request line, e.g. `/executions?limit=10`. */
  target: string;
  /** The exact body bytes (a string is taken as UTF-8); `''` for none. */
  body: string | Uint8Array;
}

export interface SignedApiRequest {
  signature: string;
  timestamp: string;
  nonce: string;
  /** Ready to merge into the request headers (with `Authorization: Bearer <key id>`). */
  headers: {
    'X-Airlock-Timestamp': string;
    'X-Airlock-Nonce': string;
    'X-Airlock-Signature': string;
  };
}

/**
 * Signs an API request that proves possession of the key secret (listing executions,
 * installing packages): method, path with query, a SHA-256 of the body, timestamp and nonce.
 * Use a fresh nonce for every request.
 *
 * @example
 * const s = signApiRequest(secret, { method: 'GET', target: '/executions?limit=10', body: '' });
 * await fetch(`${url}/executions?limit=10`, {
 *   headers: { Authorization: `Bearer ${keyId}`, ...s.headers } });
 */
export function signApiRequest(
  secret: string,
  request: ApiRequest,
  options: SignV2Options = {},
): SignedApiRequest {
  assertSecret(secret, 'signApiRequest');
  if (!METHOD_PATTERN.test(request.method)) {
    throw new TypeError('signApiRequest: method must be an upper-case HTTP method');
  }
  if (!TARGET_PATTERN.test(request.target)) {
    throw new TypeError('signApiRequest: target must be a path (and query) in printable ASCII');
  }
  const { timestamp, nonce } = freshStamp(options, 'signApiRequest');
  const signature = hmacDigest(
    secret,
    requestParts(request.method, request.target, bodyDigest(request.body), timestamp, nonce),
  ).toString('hex');
  return {
    signature,
    timestamp,
    nonce,
    headers: {
      'X-Airlock-Timestamp': timestamp,
      'X-Airlock-Nonce': nonce,
      'X-Airlock-Signature': signature,
    },
  };
}

/** What the server received for a signed API request; header values straight from the request. */
export interface ReceivedApiRequest extends ApiRequest {
  signature: unknown;
  timestamp: unknown;
  nonce: unknown;
}

export type ApiRequestFailureReason =
  | 'missing_signature'
  | 'malformed_request'
  | 'malformed_signature'
  | 'malformed_timestamp'
  | 'malformed_nonce'
  | 'mismatch'
  | 'timestamp_out_of_window';

export type VerifyApiRequestResult =
  | { ok: true; timestamp: number; nonce: string }
  | { ok: false; reason: ApiRequestFailureReason };

/**
 * Checks a signed API request (formats, then the HMAC in constant time, then the ±window). The
 * caller then claims the nonce in its replay store. Never throws on request data.
 *
 * @example
 * const r = verifyApiRequest(secret, { method: 'GET', target: '/executions', body: '',
 *   signature: h('x-airlock-signature'), timestamp: h('x-airlock-timestamp'), nonce: h('x-airlock-nonce') });
 */
export function verifyApiRequest(
  secret: string,
  request: ReceivedApiRequest,
  options: Omit<VerifyOptions, 'requireV2'> = {},
): VerifyApiRequestResult {
  assertSecret(secret, 'verifyApiRequest');
  const window = windowOf(options);
  const { signature, timestamp, nonce } = request;
  const absent = (v: unknown) => v === undefined || v === null;
  if (absent(signature) && absent(timestamp) && absent(nonce)) {
    return { ok: false, reason: 'missing_signature' };
  }
  if (
    typeof request.method !== 'string' ||
    !METHOD_PATTERN.test(request.method) ||
    typeof request.target !== 'string' ||
    request.target.length > 8192 ||
    !TARGET_PATTERN.test(request.target)
  ) {
    return { ok: false, reason: 'malformed_request' };
  }
  if (!isSignatureHex(signature)) return { ok: false, reason: 'malformed_signature' };
  if (!isTimestamp(timestamp)) return { ok: false, reason: 'malformed_timestamp' };
  if (!isNonce(nonce)) return { ok: false, reason: 'malformed_nonce' };
  const expected = hmacDigest(
    secret,
    requestParts(request.method, request.target, bodyDigest(request.body), timestamp, nonce),
  );
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return { ok: false, reason: 'mismatch' };
  }
  const ts = Number(timestamp);
  if (Math.abs(unixSeconds(options.now) - ts) > window) {
    return { ok: false, reason: 'timestamp_out_of_window' };
  }
  return { ok: true, timestamp: ts, nonce };
}
