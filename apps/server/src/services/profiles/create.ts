import { randomUUID } from 'node:crypto';
import type { AirlockDb } from '@airlock/db';
import { profiles } from '@airlock/db';
import type { Clock } from '../../lib/time.js';
import { type Actor, creatorOf, recordAudit } from '../audit/record.js';
import { getProfile, type ProfileRow } from './queries.js';

/** `POST /profiles` and `POST /api/admin/profiles`: a new unlocked profile with no credentials. */
export function createProfile(
  deps: { db: AirlockDb; clock: Clock },
  input: {
    description?: string | undefined;
    expiresAt?: Date | null | undefined;
    requireSignatureV2?: boolean | undefined;
  },
  actor: Actor,
): ProfileRow {
  const now = deps.clock();
  const id = randomUUID();
  deps.db
    .insert(profiles)
    .values({
      id,
      description: input.description ?? '',
      expiresAt: input.expiresAt ?? null,
      requireSignatureV2: input.requireSignatureV2 ?? false,
      createdBy: creatorOf(actor),
      createdAt: now,
      updatedAt: now,
    })
    .run();
  recordAudit(deps, actor, 'profile.create', { type: 'profile', id });
  return getProfile(deps.db, id);
}
