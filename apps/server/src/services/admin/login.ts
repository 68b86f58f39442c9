import type { ScryptParams } from '@airlock/auth';
import { hashPassword, verifyPassword } from '@airlock/auth';
import type { AirlockDb } from '@airlock/db';
import { admin, sessions } from '@airlock/db';
import { eq } from 'drizzle-orm';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import type { AttemptLimiter } from '../../lib/attempt-limiter.js';
import type { Clock } from '../../lib/time.js';
import { type Actor, recordAudit } from '../audit/record.js';
import { createSession } from './sessions.js';
import { assertPasswordPolicy } from './setup.js';

/** What logging in and changing the password use. */
export interface LoginDeps {
  db: AirlockDb;
  clock: Clock;
  config: Config;
  loginLimiter: AttemptLimiter;
  passwordParams?: ScryptParams;
}

/** Counts a password attempt before any hashing; over the limit, a 429 with Retry-After. */
function countAttempt(deps: { loginLimiter: AttemptLimiter; clock: Clock }, actor: Actor): string {
  const client = actor.ip ?? 'unknown';
  const wait = deps.loginLimiter.attempt(client, deps.clock().getTime());
  if (wait > 0) {
    throw new AppError('RATE_LIMITED', 'Too many failed login attempts; try again later', {
      retryAfter: wait,
    });
  }
  return client;
}

/**
 * Checks the admin password and starts a session. Throttled per client address, the attempt
 * counted before any hashing (429 with Retry-After). The one failure message never says why.
 */
export async function login(
  deps: LoginDeps,
  password: string,
  actor: Actor,
): Promise<{ token: string; expiresAt: Date }> {
  const client = countAttempt(deps, actor);
  const row = deps.db.select().from(admin).where(eq(admin.id, 1)).get();
  if (!row) throw new AppError('CONFLICT', 'Setup has not been completed yet');
  const verdict = await verifyPassword(password, row.passwordHash, deps.passwordParams);
  if (!verdict.ok) {
    recordAudit(deps, actor, 'admin.login_failed');
    throw new AppError('UNAUTHORIZED', 'Invalid password');
  }
  deps.loginLimiter.succeeded(client);
  if (verdict.needsRehash) {
    const upgraded = await hashPassword(password, deps.passwordParams);
    deps.db.update(admin).set({ passwordHash: upgraded }).where(eq(admin.id, 1)).run();
  }
  const { token, session } = createSession(deps, actor.ip);
  recordAudit(deps, { ...actor, id: session.id }, 'admin.login');
  return { token, expiresAt: session.expiresAt };
}

/**
 * Changes the admin password after checking the current one (throttled like login: a stolen
 * session must not become a password oracle); every session ends (including stolen ones) and the
 * caller gets a fresh session.
 */
export async function changePassword(
  deps: LoginDeps,
  input: { currentPassword: string; newPassword: string },
  actor: Actor,
): Promise<{ token: string; expiresAt: Date }> {
  const client = countAttempt(deps, actor);
  const row = deps.db.select().from(admin).where(eq(admin.id, 1)).get();
  if (!row) throw new AppError('CONFLICT', 'Setup has not been completed yet');
  const verdict = await verifyPassword(
    input.currentPassword,
    row.passwordHash,
    deps.passwordParams,
  );
  if (!verdict.ok) throw new AppError('FORBIDDEN', 'Current password is incorrect');
  deps.loginLimiter.succeeded(client);
  assertPasswordPolicy(input.newPassword);
  const passwordHash = await hashPassword(input.newPassword, deps.passwordParams);
  const now = deps.clock();
  deps.db.transaction((tx) => {
    tx.update(admin).set({ passwordHash, passwordChangedAt: now }).where(eq(admin.id, 1)).run();
    tx.delete(sessions).run();
  });
  recordAudit(deps, actor, 'admin.password_changed');
  const { token, session } = createSession(deps, actor.ip);
  return { token, expiresAt: session.expiresAt };
}
