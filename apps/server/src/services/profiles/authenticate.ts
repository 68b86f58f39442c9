import { parseBearerKeyId } from '@airlock/auth';
import type { AirlockDb } from '@airlock/db';
import { profiles } from '@airlock/db';
import { eq, sql } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import { prepared } from '../../lib/prepared.js';
import type { Clock } from '../../lib/time.js';
import { isExpired, type ProfileRow } from './queries.js';

/** Why a profile key was refused, for the log (the client sees only the contract's message). */
export type ProfileAuthFailure =
  | 'missing_token'
  | 'not_profile_key'
  | 'malformed_key_id'
  | 'unknown_key'
  | 'revoked'
  | 'expired'
  | 'not_locked';

const messages: Record<ProfileAuthFailure, string> = {
  missing_token: 'Missing authentication token',
  not_profile_key: 'Invalid authentication token',
  malformed_key_id: 'Invalid profile key',
  unknown_key: 'Invalid profile key',
  not_locked: 'Invalid profile key',
  revoked: 'Profile has been revoked',
  expired: 'Profile has expired',
};

export class ProfileAuthError extends AppError {
  readonly reason: ProfileAuthFailure;
  constructor(reason: ProfileAuthFailure) {
    super('UNAUTHORIZED', messages[reason]);
    this.reason = reason;
  }
}

/**
 * Resolves `Authorization: Bearer ark_<key id>` to a locked, unrevoked, unexpired profile, in the
 * contract's order. The key id's format is checked before the database is touched.
 *
 * @example
 * const profile = authenticateProfileKey(deps, c.req.header('authorization'));
 */
export function authenticateProfileKey(
  deps: { db: AirlockDb; clock: Clock },
  authorization: string | undefined,
): ProfileRow {
  const parsed = parseBearerKeyId(authorization);
  if (!parsed.ok) throw new ProfileAuthError(parsed.reason);
  // Prepared once per handle: every signed request looks its key up.
  const row = prepared(deps.db, 'profiles.by-key', (d) =>
    d
      .select()
      .from(profiles)
      .where(eq(profiles.keyId, sql.placeholder('keyId')))
      .prepare(),
  ).get({ keyId: parsed.keyId });
  if (!row) throw new ProfileAuthError('unknown_key');
  if (row.revoked) throw new ProfileAuthError('revoked');
  if (!row.locked || row.secret === null) throw new ProfileAuthError('not_locked');
  if (isExpired(row, deps.clock())) throw new ProfileAuthError('expired');
  return row;
}
