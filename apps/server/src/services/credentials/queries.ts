import { credentials, profileCredentials, profiles } from '@airlock/db';
import { asc, eq, inArray } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { DbLike } from '../../lib/db.js';

export type CredentialRow = typeof credentials.$inferSelect;

export function listCredentialRows(db: DbLike): CredentialRow[] {
  return db.select().from(credentials).orderBy(asc(credentials.name)).all();
}

export function findCredentialByName(db: DbLike, name: string): CredentialRow | undefined {
  return db.select().from(credentials).where(eq(credentials.name, name)).get();
}

export function getCredentialByName(db: DbLike, name: string): CredentialRow {
  const row = findCredentialByName(db, name);
  if (!row) throw new AppError('NOT_FOUND', `Credential '${name}' not found`);
  return row;
}

/** Ids of the profiles that use a credential, with their lock/revoke state. */
export function profilesUsing(db: DbLike, credentialId: string) {
  return db
    .select({ id: profiles.id, locked: profiles.locked, revoked: profiles.revoked })
    .from(profileCredentials)
    .innerJoin(profiles, eq(profiles.id, profileCredentials.profileId))
    .where(eq(profileCredentials.credentialId, credentialId))
    .orderBy(asc(profiles.createdAt))
    .all();
}

/** Rows for those of the given names that exist (unknown names are left out). */
export function credentialsNamed(db: DbLike, names: readonly string[]): CredentialRow[] {
  if (names.length === 0) return [];
  return db
    .select()
    .from(credentials)
    .where(inArray(credentials.name, [...new Set(names)]))
    .all();
}

/** Rows for the given names; throws 404 naming the first unknown one (in request order). */
export function credentialsByNames(db: DbLike, names: readonly string[]): CredentialRow[] {
  const rows = credentialsNamed(db, names);
  const known = new Set(rows.map((r) => r.name));
  const missing = names.find((n) => !known.has(n));
  if (missing !== undefined) throw new AppError('NOT_FOUND', `Credential '${missing}' not found`);
  return rows;
}
