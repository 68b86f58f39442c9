import type { AirlockDb } from '@airlock/db';
import { credentials, profileCredentials, profiles } from '@airlock/db';
import { asc, count, desc, eq, isNull } from 'drizzle-orm';
import { isoOrNull } from '../../lib/time.js';
import { profileNetwork } from '../profiles/network.js';
import { isExpired, linkedCredentials } from '../profiles/queries.js';
import type { SkillListing, SkillProfile } from './render.js';

/** What `/skill.md` lists at most: it stays small and fast whatever the database holds. */
export const SKILL_LIMITS = { profiles: 25, credentialsPerProfile: 20, unattached: 30 } as const;

/**
 * The profiles and slots `/skill.md` shows, a bounded number of each (usable profiles first,
 * newest first; revoked ones only counted) with counts of the rest, in a handful of queries.
 */
export function skillListing(db: AirlockDb, now: Date): SkillListing {
  const rows = db
    .select()
    .from(profiles)
    .where(eq(profiles.revoked, false))
    .orderBy(desc(profiles.locked), desc(profiles.createdAt), asc(profiles.id))
    .limit(SKILL_LIMITS.profiles)
    .all();
  const shown: SkillProfile[] = rows.map((p) => {
    const linked = linkedCredentials(db, p.id);
    return {
      id: p.id,
      description: p.description,
      state: isExpired(p, now) ? 'expired' : p.locked ? 'locked' : 'unlocked',
      keyId: p.keyId,
      expiresAt: isoOrNull(p.expiresAt),
      requireSignatureV2: p.requireSignatureV2,
      network: profileNetwork(p),
      credentials: linked.slice(0, SKILL_LIMITS.credentialsPerProfile).map((x) => ({
        name: x.name,
        description: x.description,
        hasValue: x.hasValue,
        brokeredTo: x.delivery.mode === 'broker' ? x.delivery.hosts : null,
      })),
      moreCredentials: Math.max(0, linked.length - SKILL_LIMITS.credentialsPerProfile),
    };
  });
  const totals = db
    .select({ revoked: profiles.revoked, n: count() })
    .from(profiles)
    .groupBy(profiles.revoked)
    .all();
  const live = totals.find((t) => !t.revoked)?.n ?? 0;
  const unattached = db
    .select({
      name: credentials.name,
      description: credentials.description,
      value: credentials.value,
    })
    .from(credentials)
    .leftJoin(profileCredentials, eq(profileCredentials.credentialId, credentials.id))
    .where(isNull(profileCredentials.profileId))
    .orderBy(asc(credentials.name))
    .limit(SKILL_LIMITS.unattached)
    .all()
    .map((r) => ({ name: r.name, description: r.description, hasValue: r.value !== null }));
  const unattachedTotal =
    db
      .select({ n: count() })
      .from(credentials)
      .leftJoin(profileCredentials, eq(profileCredentials.credentialId, credentials.id))
      .where(isNull(profileCredentials.profileId))
      .get()?.n ?? 0;
  return {
    profiles: shown,
    moreProfiles: live - shown.length,
    revokedProfiles: totals.find((t) => t.revoked)?.n ?? 0,
    unattached,
    moreUnattached: unattachedTotal - unattached.length,
  };
}
