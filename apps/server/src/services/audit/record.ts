import { type ActorType, auditLog, type Creator } from '@airlock/db';
import type { DbLike } from '../../lib/db.js';
import type { Clock } from '../../lib/time.js';

/** Who is acting: the admin (session id), a profile (key id), or an anonymous agent. */
export interface Actor {
  type: ActorType;
  id: string | null;
  ip: string | null;
}

export const systemActor: Actor = { type: 'system', id: null, ip: null };

/**
 * Who a credential slot or profile an actor creates is marked as made by: `agent` for the open
 * agent endpoints, `admin` for the admin API. (An import keeps the marks of the exported rows.)
 */
export function creatorOf(actor: Actor): Creator {
  return actor.type === 'agent' ? 'agent' : 'admin';
}

/**
 * Appends one audit record. `detail` holds small non-secret facts (names, counts); never a
 * credential value, key secret, password or token.
 *
 * @example
 * recordAudit(deps, actor, 'profile.lock', { type: 'profile', id });
 */
export function recordAudit(
  deps: { db: DbLike; clock: Clock },
  actor: Actor,
  action: string,
  target?: { type: string; id: string },
  detail?: Record<string, unknown>,
): void {
  deps.db
    .insert(auditLog)
    .values({
      at: deps.clock(),
      actorType: actor.type,
      actorId: actor.id,
      clientIp: actor.ip,
      action,
      targetType: target?.type ?? null,
      targetId: target?.id ?? null,
      detail: detail ? JSON.stringify(detail) : null,
    })
    .run();
}
