import type { AirlockDb } from '@airlock/db';
import { profileCredentials, profiles } from '@airlock/db';
import { and, eq, inArray } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Tx } from '../../lib/db.js';
import type { Clock } from '../../lib/time.js';
import { type Actor, recordAudit } from '../audit/record.js';
import { credentialsByNames, credentialsNamed } from '../credentials/queries.js';
import { getProfile, type ProfileRow } from './queries.js';

function assertModifiable(profile: ProfileRow): void {
  if (profile.revoked)
    throw new AppError('CONFLICT', 'Cannot modify credentials on a revoked profile');
  if (profile.locked)
    throw new AppError('CONFLICT', 'Cannot modify credentials on a locked profile');
}

/**
 * Attaches credentials by name: idempotent, all-or-nothing (an unknown name → 404 and nothing
 * changes), refused on locked or revoked profiles (409).
 */
export function attachCredentials(
  deps: { db: AirlockDb; clock: Clock },
  profileId: string,
  names: readonly string[],
  actor: Actor,
): ProfileRow {
  deps.db.transaction((tx) => {
    const profile = getProfile(tx, profileId);
    assertModifiable(profile);
    const rows = credentialsByNames(tx, names);
    for (const row of rows) {
      tx.insert(profileCredentials)
        .values({ profileId, credentialId: row.id })
        .onConflictDoNothing()
        .run();
    }
    touch(tx, profileId, deps.clock());
    recordAudit(
      { db: tx, clock: deps.clock },
      actor,
      'profile.attach',
      { type: 'profile', id: profileId },
      {
        credentials: rows.map((r) => r.name),
      },
    );
  });
  return getProfile(deps.db, profileId);
}

/** Detaches credentials by name; unknown names are ignored; locked or revoked → 409. */
export function detachCredentials(
  deps: { db: AirlockDb; clock: Clock },
  profileId: string,
  names: readonly string[],
  actor: Actor,
): ProfileRow {
  deps.db.transaction((tx) => {
    const profile = getProfile(tx, profileId);
    assertModifiable(profile);
    const known = credentialsNamed(tx, names);
    if (known.length > 0) {
      tx.delete(profileCredentials)
        .where(
          and(
            eq(profileCredentials.profileId, profileId),
            inArray(
              profileCredentials.credentialId,
              known.map((k) => k.id),
            ),
          ),
        )
        .run();
    }
    touch(tx, profileId, deps.clock());
    recordAudit(
      { db: tx, clock: deps.clock },
      actor,
      'profile.detach',
      { type: 'profile', id: profileId },
      {
        credentials: known.map((k) => k.name),
      },
    );
  });
  return getProfile(deps.db, profileId);
}

function touch(tx: Tx, profileId: string, now: Date): void {
  tx.update(profiles).set({ updatedAt: now }).where(eq(profiles.id, profileId)).run();
}
