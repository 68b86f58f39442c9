import { isoOrNull, isoUtc } from '../../lib/time.js';
import { profileNetwork } from './network.js';
import { isExpired, type LinkedCredential, type ProfileRow } from './queries.js';

/** The contract's profile object (agent side), plus `expired`. Never a secret. */
export function agentProfileView(row: ProfileRow, creds: LinkedCredential[], now: Date) {
  return {
    id: row.id,
    description: row.description,
    locked: row.locked,
    key_id: row.keyId,
    credentials: creds.map((c) => ({
      name: c.name,
      description: c.description,
      value_exists: c.hasValue,
      delivery: c.delivery,
    })),
    network: profileNetwork(row),
    expires_at: isoOrNull(row.expiresAt),
    expired: isExpired(row, now),
    revoked: row.revoked,
    created_at: isoUtc(row.createdAt),
    updated_at: isoUtc(row.updatedAt),
  };
}

/**
 * The admin's profile object: credentials with `has_value` and their delivery, the
 * replay-protection setting, who made it, lifecycle times.
 */
export function adminProfileView(row: ProfileRow, creds: LinkedCredential[], now: Date) {
  return {
    id: row.id,
    description: row.description,
    locked: row.locked,
    key_id: row.keyId,
    credentials: creds.map((c) => ({
      name: c.name,
      description: c.description,
      has_value: c.hasValue,
      delivery: c.delivery,
    })),
    network: profileNetwork(row),
    expires_at: isoOrNull(row.expiresAt),
    expired: isExpired(row, now),
    revoked: row.revoked,
    require_signature_v2: row.requireSignatureV2,
    locked_at: isoOrNull(row.lockedAt),
    revoked_at: isoOrNull(row.revokedAt),
    created_by: row.createdBy,
    created_at: isoUtc(row.createdAt),
    updated_at: isoUtc(row.updatedAt),
  };
}
