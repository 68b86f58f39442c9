import { type AirlockDb, credentials, profileCredentials, profiles } from '@airlock/db';
import { asc, eq, sql } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { DbLike } from '../../lib/db.js';
import { prepared } from '../../lib/prepared.js';
import { type Delivery, storedDelivery } from '../credentials/delivery.js';

export type ProfileRow = typeof profiles.$inferSelect;
export type LinkedCredential = {
  id: string;
  name: string;
  description: string;
  hasValue: boolean;
  delivery: Delivery;
};

export function findProfile(db: DbLike, id: string): ProfileRow | undefined {
  return prepared(db as AirlockDb, 'profiles.find', (d) =>
    d
      .select()
      .from(profiles)
      .where(eq(profiles.id, sql.placeholder('id')))
      .prepare(),
  ).get({ id });
}

export function getProfile(db: DbLike, id: string): ProfileRow {
  const row = findProfile(db, id);
  if (!row) throw new AppError('NOT_FOUND', `Profile '${id}' not found`);
  return row;
}

export function listProfileRows(db: DbLike): ProfileRow[] {
  return db.select().from(profiles).orderBy(asc(profiles.createdAt), asc(profiles.id)).all();
}

export function linkedCredentials(db: DbLike, profileId: string): LinkedCredential[] {
  return db
    .select({
      id: credentials.id,
      name: credentials.name,
      description: credentials.description,
      value: credentials.value,
      delivery: credentials.delivery,
    })
    .from(profileCredentials)
    .innerJoin(credentials, eq(credentials.id, profileCredentials.credentialId))
    .where(eq(profileCredentials.profileId, profileId))
    .orderBy(asc(credentials.name))
    .all()
    .map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      hasValue: r.value !== null,
      delivery: storedDelivery(r),
    }));
}

export function isExpired(row: Pick<ProfileRow, 'expiresAt'>, now: Date): boolean {
  return row.expiresAt !== null && row.expiresAt.getTime() <= now.getTime();
}
