import { type ApiRequestFailureReason, verifyApiRequest } from '@airlock/auth';
import type { AirlockDb } from '@airlock/db';
import { nonces } from '@airlock/db';
import type { Keyring } from '@airlock/vault';
import { lt } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import { openText, profileSecretContext } from '../../lib/sealed.js';
import type { Clock } from '../../lib/time.js';
import type { Logger } from '../../logger.js';
import { authenticateProfileKey } from './authenticate.js';
import type { ProfileRow } from './queries.js';

/** How long a nonce is remembered: twice the ±300 s window (as for `/execute`). */
export const NONCE_TTL_MS = 2 * 300 * 1000;

/** A nonce row that belongs to a signed API request, not to an execution. */
export const REQUEST_NONCE_EXECUTION = '';

const messages: Record<ApiRequestFailureReason | 'replayed', [401 | 403, string]> = {
  missing_signature: [
    401,
    'Missing request signature: sign this request with your key secret (X-Airlock-Signature, X-Airlock-Timestamp, X-Airlock-Nonce); a key id alone is not enough',
  ],
  malformed_request: [403, 'Request signature verification failed'],
  malformed_signature: [403, 'X-Airlock-Signature must be 64 lowercase hex characters'],
  malformed_timestamp: [403, 'X-Airlock-Timestamp must be Unix seconds (a decimal integer)'],
  malformed_nonce: [403, 'X-Airlock-Nonce must be 32 to 128 lowercase hex characters'],
  mismatch: [403, 'Request signature verification failed'],
  timestamp_out_of_window: [
    403,
    "X-Airlock-Timestamp is more than 300 seconds from the server's clock",
  ],
  replayed: [403, 'X-Airlock-Nonce was already used: sign each request with a fresh nonce'],
};

export interface SignedApiCall {
  authorization: string | undefined;
  method: string;
  /** Path and query as received. */
  target: string;
  body: string;
  signature: string | undefined;
  timestamp: string | undefined;
  nonce: string | undefined;
  clientIp: string | null;
}

/**
 * Proof of the key secret for routes a bare key id must not reach (listing a profile's
 * executions, installing packages): the key (401s as for `/execute`), then the request signature
 * over method, path with query, body digest, timestamp and nonce, then the nonce claimed in the
 * same replay store as `/execute` (a replay is refused).
 */
export function authenticateSignedRequest(
  deps: { db: AirlockDb; keyring: Keyring; clock: Clock; logger: Logger },
  call: SignedApiCall,
): ProfileRow {
  const profile = authenticateProfileKey(deps, call.authorization);
  const secret = openText(deps.keyring, profile.secret as Buffer, profileSecretContext(profile.id));
  const verdict = verifyApiRequest(
    secret,
    {
      method: call.method,
      target: call.target,
      body: call.body,
      signature: call.signature,
      timestamp: call.timestamp,
      nonce: call.nonce,
    },
    { now: () => deps.clock().getTime() },
  );
  const refuse = (reason: ApiRequestFailureReason | 'replayed'): never => {
    deps.logger.warn('signed request refused', {
      key_id: profile.keyId,
      reason,
      method: call.method,
      client_ip: call.clientIp,
    });
    const [status, message] = messages[reason];
    throw new AppError(status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message);
  };
  if (!verdict.ok) return refuse(verdict.reason);
  const now = deps.clock();
  const claimed = deps.db.transaction((tx) => {
    tx.delete(nonces).where(lt(nonces.expiresAt, now)).run();
    const r = tx
      .insert(nonces)
      .values({
        keyId: profile.keyId as string,
        nonce: verdict.nonce,
        executionId: REQUEST_NONCE_EXECUTION,
        expiresAt: new Date(now.getTime() + NONCE_TTL_MS),
      })
      .onConflictDoNothing()
      .run();
    return r.changes === 1;
  });
  if (!claimed) return refuse('replayed');
  return profile;
}
