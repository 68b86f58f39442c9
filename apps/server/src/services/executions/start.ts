import { createHash } from 'node:crypto';
import { type SignatureFailureReason, verifySignature } from '@airlock/auth';
import type { AirlockDb } from '@airlock/db';
import { executions, nonces } from '@airlock/db';
import type { Keyring } from '@airlock/vault';
import { and, eq, gt, lt } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import { openText, profileSecretContext } from '../../lib/sealed.js';
import type { Clock } from '../../lib/time.js';
import type { Logger } from '../../logger.js';
import { type Actor, recordAudit } from '../audit/record.js';
import { authenticateProfileKey } from '../profiles/authenticate.js';
import { NONCE_TTL_MS, REQUEST_NONCE_EXECUTION } from '../profiles/signed-request.js';
import type { ExecutionEngine } from './engine.js';
import { type ExecutionRow, getExecution, newExecutionId } from './queries.js';

export const HMAC_MISMATCH = 'Script hash verification failed — HMAC mismatch';

const signatureMessages: Record<SignatureFailureReason, string> = {
  mismatch: HMAC_MISMATCH,
  reserved_prefix:
    'A version-1 script may not start with "AIRLOCK/" (that is how signed messages start); use a version-2 signature',
  malformed_signature: HMAC_MISMATCH,
  malformed_script: 'Script must be valid Unicode text (no lone surrogates)',
  malformed_timestamp: 'X-Airlock-Timestamp must be Unix seconds (a decimal integer)',
  malformed_nonce: 'X-Airlock-Nonce must be 32 to 128 lowercase hex characters',
  v2_required:
    'This profile requires replay-protected (version 2) signatures: send X-Airlock-Timestamp and X-Airlock-Nonce',
  timestamp_out_of_window: "X-Airlock-Timestamp is more than 300 seconds from the server's clock",
};

export interface ExecuteRequest {
  authorization: string | undefined;
  script: string;
  hash: string;
  timeoutSeconds: number;
  timestamp: string | undefined;
  nonce: string | undefined;
  clientIp: string | null;
}

/** What starting an execution uses. */
export interface StartDeps {
  db: AirlockDb;
  keyring: Keyring;
  clock: Clock;
  logger: Logger;
  executions: ExecutionEngine;
}

/**
 * `POST /execute`: authenticate the key (401s), verify the signature (403s), then in one
 * transaction: return the original execution for a seen v2 nonce (idempotent retry), refuse when
 * the queue is full (429, nothing stored), or store the execution and its nonce; then queue it.
 */
export function startExecution(
  deps: StartDeps,
  req: ExecuteRequest,
): { row: ExecutionRow; created: boolean } {
  const profile = authenticateProfileKey(deps, req.authorization);
  const secret = openText(deps.keyring, profile.secret as Buffer, profileSecretContext(profile.id));
  const verdict = verifySignature(
    secret,
    { script: req.script, hash: req.hash, timestamp: req.timestamp, nonce: req.nonce },
    { now: () => deps.clock().getTime(), requireV2: profile.requireSignatureV2 },
  );
  const actor: Actor = { type: 'profile', id: profile.keyId, ip: req.clientIp };
  if (!verdict.ok) {
    deps.logger.warn('execute refused', {
      key_id: profile.keyId,
      reason: verdict.reason,
      client_ip: req.clientIp,
    });
    throw new AppError('FORBIDDEN', signatureMessages[verdict.reason]);
  }
  const now = deps.clock();
  const keyId = profile.keyId as string;
  const nonce = verdict.version === 2 ? verdict.nonce : null;
  const scriptSha256 = createHash('sha256').update(req.script, 'utf8').digest('hex');
  // Stored redacted: an agent may have written a secret it knows into the script itself.
  const storedScript = deps.executions.redactor().redactString(req.script).text;

  const outcome = deps.db.transaction((tx) => {
    if (nonce !== null) {
      tx.delete(nonces).where(lt(nonces.expiresAt, now)).run();
      const seen = tx
        .select()
        .from(nonces)
        .where(and(eq(nonces.keyId, keyId), eq(nonces.nonce, nonce), gt(nonces.expiresAt, now)))
        .get();
      if (seen) {
        if (seen.executionId === REQUEST_NONCE_EXECUTION) {
          throw new AppError(
            'CONFLICT',
            'X-Airlock-Nonce was already used for another request; use a fresh nonce',
          );
        }
        const original = getExecution(tx, seen.executionId);
        if (original.scriptSha256 !== scriptSha256) {
          throw new AppError(
            'CONFLICT',
            'X-Airlock-Nonce was already used for a different script; use a fresh nonce',
          );
        }
        return { id: original.id, created: false };
      }
    }
    if (!deps.executions.hasRoom()) {
      throw new AppError('RATE_LIMITED', 'Too many executions are queued; retry later', {
        retryAfter: deps.executions.retryAfterSeconds(),
      });
    }
    const id = newExecutionId();
    tx.insert(executions)
      .values({
        id,
        profileId: profile.id,
        keyId,
        status: 'pending',
        script: storedScript,
        scriptSha256,
        signatureVersion: verdict.version,
        nonce,
        timeoutSeconds: req.timeoutSeconds,
        clientIp: req.clientIp,
        createdAt: now,
        updatedAt: now,
      })
      .run();
    if (nonce !== null) {
      tx.insert(nonces)
        .values({
          keyId,
          nonce,
          executionId: id,
          expiresAt: new Date(now.getTime() + NONCE_TTL_MS),
        })
        .run();
    }
    recordAudit(
      { db: tx, clock: deps.clock },
      actor,
      'execution.start',
      { type: 'execution', id },
      { signature_version: verdict.version },
    );
    return { id, created: true };
  });
  if (outcome.created) deps.executions.enqueue(outcome.id, req.script);
  return { row: getExecution(deps.db, outcome.id), created: outcome.created };
}
