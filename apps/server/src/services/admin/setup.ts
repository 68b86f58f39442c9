import type { ScryptParams } from '@airlock/auth';
import { checkPasswordPolicy, hashPassword } from '@airlock/auth';
import type { AirlockDb } from '@airlock/db';
import { admin } from '@airlock/db';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import type { Clock } from '../../lib/time.js';
import { type Actor, recordAudit, systemActor } from '../audit/record.js';
import { createSession } from './sessions.js';
import type { SetupCodeHolder } from './setup-code.js';

/** What setting the admin password up uses. */
export interface SetupDeps {
  db: AirlockDb;
  clock: Clock;
  config: Config;
  passwordParams?: ScryptParams;
}

export function isSetupRequired(deps: { db: AirlockDb }): boolean {
  return deps.db.select({ id: admin.id }).from(admin).get() === undefined;
}

export function assertPasswordPolicy(password: string): void {
  const policy = checkPasswordPolicy(password);
  if (!policy.ok) throw new AppError('VALIDATION', policy.message);
}

/**
 * Claims first-visit setup: the one-time code must match, then the admin row is inserted. The
 * row's id is fixed to 1, so of two racing claims exactly one insert succeeds; the other gets
 * 409. The winner is logged in.
 */
export async function claimSetup(
  deps: SetupDeps & { setupCode: SetupCodeHolder },
  input: { setupCode: string; password: string },
  actor: Actor,
): Promise<{ token: string; expiresAt: Date }> {
  if (!isSetupRequired(deps)) throw new AppError('CONFLICT', 'Setup has already been completed');
  if (!deps.setupCode.matches(input.setupCode)) {
    throw new AppError('FORBIDDEN', 'Invalid setup code');
  }
  assertPasswordPolicy(input.password);
  const passwordHash = await hashPassword(input.password, deps.passwordParams);
  const now = deps.clock();
  const inserted = deps.db
    .insert(admin)
    .values({ id: 1, passwordHash, createdAt: now, passwordChangedAt: now })
    .onConflictDoNothing()
    .run();
  if (inserted.changes !== 1) throw new AppError('CONFLICT', 'Setup has already been completed');
  deps.setupCode.consume();
  recordAudit(deps, actor, 'admin.setup');
  const { token, session } = createSession(deps, actor.ip);
  return { token, expiresAt: session.expiresAt };
}

/**
 * Presets the admin password at startup (`AIRLOCK_ADMIN_PASSWORD` or its file) when no admin
 * exists yet. Returns true when it did.
 */
export async function presetAdminPassword(deps: SetupDeps, password: string): Promise<boolean> {
  if (!isSetupRequired(deps)) return false;
  assertPasswordPolicy(password);
  const passwordHash = await hashPassword(password, deps.passwordParams);
  const now = deps.clock();
  const r = deps.db
    .insert(admin)
    .values({ id: 1, passwordHash, createdAt: now, passwordChangedAt: now })
    .onConflictDoNothing()
    .run();
  if (r.changes === 1) {
    recordAudit(deps, systemActor, 'admin.preset_password');
  }
  return r.changes === 1;
}
