/**
 * A profile's network policy: which hosts its scripts may reach (through the egress proxy).
 * Set on an unlocked profile by an agent or the admin, frozen at lock like the credential list.
 */
import type { AirlockDb } from '@airlock/db';
import { profiles } from '@airlock/db';
import {
  brokerHostsRefusal,
  compilePolicy,
  type NetworkPolicy,
  NO_NETWORK,
  PolicyError,
  parsePolicy,
} from '@airlock/egress';
import { eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { DbLike } from '../../lib/db.js';
import type { Clock } from '../../lib/time.js';
import { type Actor, recordAudit } from '../audit/record.js';
import { getProfile, linkedCredentials, type ProfileRow } from './queries.js';

/**
 * The stored policy of a profile. It was validated when written; a row that does not parse
 * (edited by hand) reads as no network at all: fail closed.
 */
export function profileNetwork(row: Pick<ProfileRow, 'network'>): NetworkPolicy {
  try {
    return parsePolicy(JSON.parse(row.network));
  } catch {
    return { ...NO_NETWORK, allow: [] };
  }
}

/** Validates a policy from a request body: 422 naming the offending entry. */
export function validNetworkPolicy(input: unknown): NetworkPolicy {
  try {
    return parsePolicy(input);
  } catch (e) {
    if (e instanceof PolicyError) {
      throw new AppError('VALIDATION', [
        {
          type: 'value_error',
          loc: ['body', ...(e.entry === undefined ? [] : ['allow'])],
          msg: e.message,
          input: e.entry ?? input,
        },
      ]);
    }
    throw e;
  }
}

/**
 * Replaces the network policy of an unlocked profile (locked or revoked: 409, nothing changes).
 */
export function setNetworkPolicy(
  deps: { db: AirlockDb; clock: Clock },
  profileId: string,
  input: unknown,
  actor: Actor,
): ProfileRow {
  const policy = validNetworkPolicy(input);
  deps.db.transaction((tx) => {
    const profile = getProfile(tx, profileId);
    if (profile.revoked)
      throw new AppError('CONFLICT', 'Cannot modify the network policy of a revoked profile');
    if (profile.locked)
      throw new AppError('CONFLICT', 'Cannot modify the network policy of a locked profile');
    tx.update(profiles)
      .set({ network: JSON.stringify(policy), updatedAt: deps.clock() })
      .where(eq(profiles.id, profileId))
      .run();
    recordAudit(
      { db: tx, clock: deps.clock },
      actor,
      'profile.network',
      { type: 'profile', id: profileId },
      { mode: policy.mode, allow: policy.allow },
    );
  });
  return getProfile(deps.db, profileId);
}

/**
 * Why a profile cannot be locked as it is: a brokered credential on it is bound to a host its
 * network policy does not allow (the credential could never be used). Null when none is.
 */
export function brokeredHostsRefusal(db: DbLike, profile: ProfileRow): string | null {
  const policy = compilePolicy(profileNetwork(profile));
  for (const c of linkedCredentials(db, profile.id)) {
    if (c.delivery.mode !== 'broker') continue;
    const why = brokerHostsRefusal(policy, c.delivery.hosts);
    if (why !== null) return `credential ${c.name} is brokered to ${why}`;
  }
  return null;
}
