import { credentials, profiles } from '@airlock/db';
import { and, count, eq } from 'drizzle-orm';
import { AppError } from '../errors.js';
import type { AttemptLimiter } from '../lib/attempt-limiter.js';
import type { DbLike } from '../lib/db.js';
import type { Clock } from '../lib/time.js';

/**
 * Bounds on what anonymous clients can make (the agent API needs no key to declare slots and
 * propose profiles): a rate per client address, and counts that no client can push past, so the
 * database, `/skill.md` and the admin UI stay small whatever an anonymous client sends.
 */
export interface GrowthLimits {
  maxCredentials: number;
  maxUnlockedProfiles: number;
}

/** Counts one anonymous creation request from `clientIp`; over the rate, a 429. */
export function throttleAnonymous(
  deps: { creationLimiter: AttemptLimiter; clock: Clock },
  clientIp: string | null,
): void {
  const wait = deps.creationLimiter.attempt(clientIp ?? 'unknown', deps.clock().getTime());
  if (wait > 0) {
    throw new AppError(
      'RATE_LIMITED',
      'Too many credential or profile changes from this client; try again later',
      { retryAfter: wait },
    );
  }
}

/** Refuses (409) slots that would take the instance past its credential count. */
export function assertRoomForCredentials(
  db: DbLike,
  limits: Pick<GrowthLimits, 'maxCredentials'>,
  adding: number,
): void {
  const n = db.select({ n: count() }).from(credentials).get()?.n ?? 0;
  if (n + adding > limits.maxCredentials) {
    throw new AppError(
      'CONFLICT',
      `This instance holds at most ${limits.maxCredentials} credentials (${n} now): ask the admin to delete unused ones`,
    );
  }
}

/** Refuses (409) a new profile while the instance has its most unlocked profiles. */
export function assertRoomForProfile(
  db: DbLike,
  limits: Pick<GrowthLimits, 'maxUnlockedProfiles'>,
): void {
  const n =
    db
      .select({ n: count() })
      .from(profiles)
      .where(and(eq(profiles.locked, false), eq(profiles.revoked, false)))
      .get()?.n ?? 0;
  if (n >= limits.maxUnlockedProfiles) {
    throw new AppError(
      'CONFLICT',
      `This instance has ${n} unlocked profiles, the most it allows: ask the admin to lock or delete unused ones`,
    );
  }
}
