/**
 * The replay guard for version 2 signatures: a remembered set of (key id, nonce) pairs, kept for
 * twice the timestamp window so that any request still inside the window finds its nonce.
 *
 * The nonce doubles as an idempotency key at the server: a retried request whose signature is
 * valid but whose nonce was already claimed gets the original execution back instead of a second
 * run. That is why {@link verifyRequest} checks the signature first and claims the nonce last, and
 * reports `replayed` (signature valid, nonce seen) apart from every bad-signature reason.
 */
import {
  DEFAULT_WINDOW_SECONDS,
  type SignatureFailureReason,
  type SignedRequest,
  unixSeconds,
  type VerifyOptions,
  verifySignature,
} from './signature.js';

/**
 * `new`: first time this pair is seen, now remembered through `expiresAtSec` (inclusive).
 * `seen`: already remembered and not expired.
 * `full`: the store refuses to remember more (fail closed: the request must not run).
 */
export type ClaimOutcome = 'new' | 'seen' | 'full';

/**
 * Where claimed nonces live. A database-backed store must make `claim` atomic (e.g. an INSERT on
 * a unique (key_id, nonce) index, `seen` on conflict), so two concurrent requests with one nonce
 * cannot both get `new`. A pair is live while `nowSec <= expiresAtSec`; rows with
 * `expiresAtSec < nowSec` may be deleted at any time (a request with timestamp `ts` is accepted
 * while `now <= ts + window`, and `ts <= claim time + window`, so claim time + 2 × window is the
 * last second the pair can matter).
 */
export interface NonceStore {
  claim(
    keyId: string,
    nonce: string,
    expiresAtSec: number,
    nowSec: number,
  ): ClaimOutcome | Promise<ClaimOutcome>;
}

export interface MemoryNonceStoreOptions {
  /** Upper bound on remembered pairs; beyond it `claim` answers `full`. Default 100 000. */
  maxEntries?: number;
}

/** Expired entries removed per claim from the oldest end, so one claim never does unbounded work. */
const SWEEP_STEP = 64;

/**
 * An in-memory {@link NonceStore} for a single server process: bounded memory, expired entries
 * swept as new ones arrive. When full of unexpired nonces it fails closed (`full`) rather than
 * forgetting one that could then be replayed. Forgets everything on restart: a server that must
 * survive restarts without a replay gap should back the store with its database.
 *
 * @example
 * const nonces = new MemoryNonceStore({ maxEntries: 50_000 });
 * const r = await verifyRequest(secret, keyId, request, { nonceStore: nonces });
 */
export class MemoryNonceStore implements NonceStore {
  readonly #max: number;
  // Map keeps insertion order; expiry is `now + 2 × window`, so with a steady clock the oldest
  // entries expire first and the sweep can stop at the first live one.
  readonly #entries = new Map<string, number>();

  constructor(options: MemoryNonceStoreOptions = {}) {
    const max = options.maxEntries ?? 100_000;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError('MemoryNonceStore: maxEntries must be a positive integer');
    }
    this.#max = max;
  }

  /** Number of pairs currently remembered (expired ones may linger until swept). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Claims (key id, nonce) until `expiresAtSec` (inclusive); see {@link NonceStore}.
   *
   * @example
   * nonces.claim('ark_…', 'ab…', now + 600, now); // 'new', then 'seen' until now + 600
   */
  claim(keyId: string, nonce: string, expiresAtSec: number, nowSec: number): ClaimOutcome {
    this.#sweepOldest(nowSec, SWEEP_STEP);
    // Key ids and nonces never contain a newline, so the joined key is unambiguous.
    const key = `${keyId}\n${nonce}`;
    const existing = this.#entries.get(key);
    if (existing !== undefined) {
      if (existing >= nowSec) return 'seen';
      this.#entries.delete(key);
    }
    if (this.#entries.size >= this.#max) {
      this.sweep(nowSec);
      if (this.#entries.size >= this.#max) return 'full';
    }
    this.#entries.set(key, expiresAtSec);
    return 'new';
  }

  /**
   * Removes every expired pair; returns how many were removed. `claim` sweeps on its own; call
   * this from a timer only to give memory back during quiet periods.
   *
   * @example
   * setInterval(() => nonces.sweep(Math.floor(Date.now() / 1000)), 60_000).unref();
   */
  sweep(nowSec: number): number {
    let removed = 0;
    for (const [key, expiresAt] of this.#entries) {
      if (expiresAt < nowSec) {
        this.#entries.delete(key);
        removed++;
      }
    }
    return removed;
  }

  #sweepOldest(nowSec: number, limit: number): void {
    let n = 0;
    for (const [key, expiresAt] of this.#entries) {
      if (n >= limit || expiresAt >= nowSec) return;
      this.#entries.delete(key);
      n++;
    }
  }
}

export type VerifyFailureReason = SignatureFailureReason | 'replayed' | 'replay_store_full';

export type VerifyRequestResult =
  | { ok: true; version: 1 }
  | { ok: true; version: 2; timestamp: number; nonce: string }
  /** Signature valid and in the window, but the nonce was used before: return the original. */
  | { ok: false; reason: 'replayed'; version: 2; timestamp: number; nonce: string }
  | { ok: false; reason: Exclude<VerifyFailureReason, 'replayed'> };

export interface VerifyRequestOptions extends VerifyOptions {
  nonceStore: NonceStore;
}

/**
 * Full check of a signed request: signature (see `verifySignature`), then, for version 2, the
 * nonce is claimed in `nonceStore` for twice the window. Never throws on request input (a store
 * that throws, e.g. a database error, does propagate: that is the server's failure, not the
 * client's). Version 1 has no nonce and so no replay protection; use `requireV2` to refuse it.
 *
 * Suggested answers: `replayed` → the original execution for (key id, nonce);
 * `replay_store_full` → 503 with Retry-After; every other reason → 403.
 *
 * @example
 * const r = await verifyRequest(secret, keyId, {
 *   script: body.script, hash: body.hash,
 *   timestamp: c.req.header('x-airlock-timestamp'), nonce: c.req.header('x-airlock-nonce'),
 * }, { nonceStore });
 * if (r.ok) startExecution(); else if (r.reason === 'replayed') return original(keyId, r.nonce);
 */
export async function verifyRequest(
  secret: string,
  keyId: string,
  request: SignedRequest,
  options: VerifyRequestOptions,
): Promise<VerifyRequestResult> {
  // The key id comes from the caller's own lookup (parseBearerKeyId), not raw from the request.
  if (typeof keyId !== 'string' || keyId.length === 0) {
    throw new TypeError('verifyRequest: keyId must be a non-empty string');
  }
  const sig = verifySignature(secret, request, options);
  if (!sig.ok || sig.version === 1) return sig;
  const nowSec = unixSeconds(options.now);
  const window = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  const outcome = await options.nonceStore.claim(keyId, sig.nonce, nowSec + 2 * window, nowSec);
  if (outcome === 'new') return sig;
  if (outcome === 'seen') {
    return {
      ok: false,
      reason: 'replayed',
      version: 2,
      timestamp: sig.timestamp,
      nonce: sig.nonce,
    };
  }
  return { ok: false, reason: 'replay_store_full' };
}
