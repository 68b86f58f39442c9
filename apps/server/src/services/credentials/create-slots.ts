import { randomUUID } from 'node:crypto';
import type { AirlockDb } from '@airlock/db';
import { credentials } from '@airlock/db';
import type { Clock } from '../../lib/time.js';
import { assertRoomForCredentials } from '../anonymous-growth.js';
import { type Actor, creatorOf, recordAudit } from '../audit/record.js';
import { findCredentialByName } from './queries.js';

/**
 * `POST /credentials` (agent): creates empty slots; existing names are skipped; values are never
 * accepted here (only a person enters them, in the admin UI). Names are validated by the route
 * before this runs, so the batch is all-or-nothing: one transaction, no partial creation.
 */
export function createCredentialSlots(
  deps: { db: AirlockDb; clock: Clock },
  items: readonly { name: string; description?: string | undefined }[],
  limits: { maxCredentials: number },
  actor: Actor,
): { created: string[]; skipped: string[] } {
  const created: string[] = [];
  const skipped: string[] = [];
  const now = deps.clock();
  deps.db.transaction((tx) => {
    const fresh: (typeof items)[number][] = [];
    for (const item of items) {
      if (fresh.some((f) => f.name === item.name) || findCredentialByName(tx, item.name)) {
        skipped.push(item.name);
      } else fresh.push(item);
    }
    // Counted inside the transaction, so concurrent batches cannot both squeeze past the cap.
    assertRoomForCredentials(tx, limits, fresh.length);
    for (const item of fresh) {
      tx.insert(credentials)
        .values({
          id: randomUUID(),
          name: item.name,
          description: item.description ?? '',
          createdBy: creatorOf(actor),
          createdAt: now,
          updatedAt: now,
        })
        .run();
      created.push(item.name);
    }
  });
  if (created.length > 0)
    recordAudit(deps, actor, 'credential.create_slots', undefined, { created });
  return { created, skipped };
}
