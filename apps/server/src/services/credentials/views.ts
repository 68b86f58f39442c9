import { isoOrNull, isoUtc } from '../../lib/time.js';
import { storedDelivery } from './delivery.js';
import type { CredentialRow } from './queries.js';

/** Admin view: `has_value` (contract naming), who made it, timestamps, and what uses it. */
export function adminCredentialView(
  row: CredentialRow,
  extra: {
    usedBy: { id: string; locked: boolean; revoked: boolean }[];
    redactable: boolean | null;
  },
) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    has_value: row.value !== null,
    delivery: storedDelivery(row),
    /** False when the value is too short for output redaction to mask it; null without a value. */
    redactable: extra.redactable,
    value_updated_at: isoOrNull(row.valueUpdatedAt),
    used_by: extra.usedBy.map((p) => ({ profile_id: p.id, locked: p.locked, revoked: p.revoked })),
    created_by: row.createdBy,
    created_at: isoUtc(row.createdAt),
    updated_at: isoUtc(row.updatedAt),
  };
}
