import { generateProfileKey } from '@airlock/auth';
import type { AirlockDb } from '@airlock/db';
import { profiles } from '@airlock/db';
import type { Keyring } from '@airlock/vault';
import { eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Tx } from '../../lib/db.js';
import { profileSecretContext, sealText } from '../../lib/sealed.js';
import type { Clock } from '../../lib/time.js';
import { type Actor, recordAudit } from '../audit/record.js';
import { CANCELLED } from '../executions/cancellation.js';
import type { ExecutionEngine } from '../executions/engine.js';
import { brokeredHostsRefusal } from './network.js';
import { getProfile, linkedCredentials, type ProfileRow } from './queries.js';

/**
 * The profile lifecycle: unlocked (configuring) → locked (a key exists) → revoked (permanent).
 * A key's secret is returned exactly once, by `lock` or `regenerate`; only its sealed blob is
 * stored (the server must recompute HMACs, so it cannot be a hash).
 */
export interface IssuedKey {
  profile: ProfileRow;
  /** `ark_<id>:<secret>`: show once, never again. */
  key: string;
}

function issueKey(
  deps: { keyring: Keyring },
  tx: Tx,
  profileId: string,
  now: Date,
  lock: boolean,
): string {
  const key = generateProfileKey();
  tx.update(profiles)
    .set({
      keyId: key.keyId,
      secret: sealText(deps.keyring, key.secret, profileSecretContext(profileId)),
      ...(lock ? { locked: true, lockedAt: now } : {}),
      updatedAt: now,
    })
    .where(eq(profiles.id, profileId))
    .run();
  return key.full;
}

/** What the admin saw when deciding to issue a key: the credentials it will reach. */
export interface ExpectedProfile {
  credentials: readonly string[];
}

/**
 * Refuses (409) when the profile's credentials are not exactly those the admin saw: an agent can
 * attach one between the admin's look and the click, and the key would reach it.
 */
function assertUnchanged(tx: Tx, p: ProfileRow, expected: ExpectedProfile): void {
  const now = linkedCredentials(tx, p.id)
    .map((c) => c.name)
    .sort();
  const seen = [...new Set(expected.credentials)].sort();
  if (now.length !== seen.length || now.some((n, i) => n !== seen[i])) {
    throw new AppError(
      'CONFLICT',
      `Profile '${p.id}' changed since it was shown: it has ${now.length === 0 ? 'no credentials' : now.join(', ')}; review it and try again`,
    );
  }
}

/**
 * Locks an unlocked profile and issues its key, if it still has exactly the credentials the
 * admin saw. Already locked, revoked or changed → 409.
 */
export function lockProfile(
  deps: { db: AirlockDb; clock: Clock; keyring: Keyring },
  id: string,
  expected: ExpectedProfile,
  actor: Actor,
): IssuedKey {
  const now = deps.clock();
  const key = deps.db.transaction((tx) => {
    const p = getProfile(tx, id);
    if (p.revoked) throw new AppError('CONFLICT', 'Profile has been revoked');
    if (p.locked)
      throw new AppError(
        'CONFLICT',
        'Profile is already locked; regenerate its key to get a new one',
      );
    assertUnchanged(tx, p, expected);
    const refusal = brokeredHostsRefusal(tx, p);
    if (refusal !== null) throw new AppError('CONFLICT', `Cannot lock: ${refusal}`);
    const full = issueKey(deps, tx, id, now, true);
    recordAudit({ db: tx, clock: deps.clock }, actor, 'profile.lock', { type: 'profile', id });
    return full;
  });
  return { profile: getProfile(deps.db, id), key };
}

/**
 * Replaces a locked profile's key (the old key id and secret stop working at once), if the
 * profile is still what the admin saw.
 */
export function regenerateKey(
  deps: { db: AirlockDb; clock: Clock; keyring: Keyring; executions: ExecutionEngine },
  id: string,
  expected: ExpectedProfile,
  actor: Actor,
): IssuedKey {
  const now = deps.clock();
  const key = deps.db.transaction((tx) => {
    const p = getProfile(tx, id);
    if (p.revoked) throw new AppError('CONFLICT', 'Profile has been revoked');
    if (!p.locked) throw new AppError('CONFLICT', 'Profile is not locked; lock it to issue a key');
    assertUnchanged(tx, p, expected);
    const full = issueKey(deps, tx, id, now, false);
    recordAudit(
      { db: tx, clock: deps.clock },
      actor,
      'profile.regenerate_key',
      { type: 'profile', id },
      {
        previous_key_id: p.keyId,
      },
    );
    return full;
  });
  // Runs signed with the old key stop too: the old key "dies at once".
  deps.executions.cancelProfile(id, CANCELLED.keyRegenerated);
  return { profile: getProfile(deps.db, id), key };
}

/**
 * Revokes a profile, permanently: its key stops working at once and cannot be re-issued. The key
 * id stays (so a request with it gets "Profile has been revoked"); the secret blob is dropped.
 * Revoking a revoked profile is a 409 (the contract's answer), and changes nothing.
 */
export function revokeProfile(
  deps: { db: AirlockDb; clock: Clock; executions: ExecutionEngine },
  id: string,
  actor: Actor,
): ProfileRow {
  const now = deps.clock();
  deps.db.transaction((tx) => {
    const p = getProfile(tx, id);
    if (p.revoked) throw new AppError('CONFLICT', `Profile '${id}' is already revoked`);
    tx.update(profiles)
      .set({ revoked: true, revokedAt: now, secret: null, updatedAt: now })
      .where(eq(profiles.id, id))
      .run();
    recordAudit({ db: tx, clock: deps.clock }, actor, 'profile.revoke', { type: 'profile', id });
  });
  deps.executions.cancelProfile(id, CANCELLED.revoked);
  return getProfile(deps.db, id);
}

/**
 * Changes description, expiry (`null` clears it) or the replay-protection requirement of a
 * profile that is not revoked (a revoked one is a 409: its record is final). Expiry is
 * checked at every use; moving it into the future makes an expired, unrevoked profile usable
 * again (expiry is not revocation).
 */
export function updateProfile(
  deps: { db: AirlockDb; clock: Clock },
  id: string,
  input: {
    description?: string | undefined;
    expiresAt?: Date | null | undefined;
    requireSignatureV2?: boolean | undefined;
  },
  actor: Actor,
): ProfileRow {
  const now = deps.clock();
  deps.db.transaction((tx) => {
    if (getProfile(tx, id).revoked) throw new AppError('CONFLICT', `Profile '${id}' is revoked`);
    const patch: Partial<typeof profiles.$inferInsert> = { updatedAt: now };
    if (input.description !== undefined) patch.description = input.description;
    if (input.expiresAt !== undefined) patch.expiresAt = input.expiresAt;
    if (input.requireSignatureV2 !== undefined) patch.requireSignatureV2 = input.requireSignatureV2;
    tx.update(profiles).set(patch).where(eq(profiles.id, id)).run();
    recordAudit(
      { db: tx, clock: deps.clock },
      actor,
      'profile.update',
      { type: 'profile', id },
      {
        fields: Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined),
      },
    );
  });
  return getProfile(deps.db, id);
}

/**
 * Deletes an unlocked or revoked profile. A locked, live profile must be revoked first (409), so
 * a published key never silently disappears. Execution history is kept (it names the profile id).
 */
export function deleteProfile(
  deps: { db: AirlockDb; clock: Clock },
  id: string,
  actor: Actor,
): void {
  deps.db.transaction((tx) => {
    const p = getProfile(tx, id);
    if (p.locked && !p.revoked) {
      throw new AppError('CONFLICT', 'Cannot delete a locked profile; revoke it first');
    }
    tx.delete(profiles).where(eq(profiles.id, id)).run();
    recordAudit({ db: tx, clock: deps.clock }, actor, 'profile.delete', { type: 'profile', id });
  });
}
