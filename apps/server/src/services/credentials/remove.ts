import type { AirlockDb } from '@airlock/db';
import { credentials } from '@airlock/db';
import { eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Clock } from '../../lib/time.js';
import { type Actor, recordAudit } from '../audit/record.js';
import { getCredentialByName, profilesUsing } from './queries.js';

/**
 * `DELETE /api/admin/credentials/{name}`: refused (409) while a locked, unrevoked profile uses
 * it, since that would silently change what a published key can reach. Otherwise the credential
 * and its links to unlocked or revoked profiles go, in one transaction.
 */
export function removeCredential(
  deps: { db: AirlockDb; clock: Clock },
  name: string,
  actor: Actor,
): void {
  deps.db.transaction((tx) => {
    const row = getCredentialByName(tx, name);
    const blocking = profilesUsing(tx, row.id).filter((p) => p.locked && !p.revoked);
    if (blocking.length > 0) {
      throw new AppError(
        'CONFLICT',
        `Credential '${name}' is used by locked profile(s) ${blocking.map((p) => p.id).join(', ')}: revoke those profiles first`,
      );
    }
    tx.delete(credentials).where(eq(credentials.id, row.id)).run();
    recordAudit(
      { db: tx, clock: deps.clock },
      actor,
      'credential.delete',
      { type: 'credential', id: row.id },
      { name },
    );
  });
}
