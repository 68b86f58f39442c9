import { randomUUID } from 'node:crypto';
import { hashSessionToken, mintSessionToken, sessionState } from '@airlock/auth';
import type { AirlockDb } from '@airlock/db';
import { sessions } from '@airlock/db';
import { eq, lt } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Clock } from '../../lib/time.js';

export interface AdminSession {
  id: string;
  expiresAt: Date;
}

/** Don't rewrite `last_seen_at` on every request: once a minute is precise enough for idling. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Starts an admin session: a 32-byte random token for the client, only its hash stored.
 *
 * @example
 * const { token } = createSession(deps, clientIp);
 */
export function createSession(
  deps: { db: AirlockDb; clock: Clock; config: Config },
  clientIp: string | null,
): { token: string; session: AdminSession } {
  const now = deps.clock();
  const minted = mintSessionToken();
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + deps.config.sessionMaxMs);
  deps.db
    .insert(sessions)
    .values({ id, tokenHash: minted.hash, createdAt: now, lastSeenAt: now, expiresAt, clientIp })
    .run();
  return { token: minted.token, session: { id, expiresAt } };
}

/**
 * Resolves a presented token to a live session, or null (unknown, malformed, idle or absolute
 * expiry reached: an expired session row is deleted on sight).
 */
export function resolveSession(
  deps: { db: AirlockDb; clock: Clock; config: Config },
  token: string | undefined,
): AdminSession | null {
  const hash = hashSessionToken(token);
  if (hash === null) return null;
  const row = deps.db.select().from(sessions).where(eq(sessions.tokenHash, hash)).get();
  if (!row) return null;
  const now = deps.clock();
  const state = sessionState({
    createdAtSec: row.createdAt.getTime() / 1000,
    lastSeenAtSec: row.lastSeenAt.getTime() / 1000,
    nowSec: now.getTime() / 1000,
    idleTimeoutSec: deps.config.sessionIdleMs / 1000,
    absoluteTimeoutSec: deps.config.sessionMaxMs / 1000,
  });
  if (state !== 'active') {
    deps.db.delete(sessions).where(eq(sessions.id, row.id)).run();
    return null;
  }
  if (now.getTime() - row.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
    deps.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, row.id)).run();
  }
  return { id: row.id, expiresAt: row.expiresAt };
}

export function deleteSession(deps: { db: AirlockDb }, id: string): void {
  deps.db.delete(sessions).where(eq(sessions.id, id)).run();
}

/** Removes sessions past their absolute expiry (housekeeping; idle ones die on next sight). */
export function pruneSessions(deps: { db: AirlockDb; clock: Clock }): void {
  deps.db.delete(sessions).where(lt(sessions.expiresAt, deps.clock())).run();
}
