import type { AirlockDb } from '@airlock/db';
import { credentials, profileCredentials, profiles } from '@airlock/db';
import type { Secret } from '@airlock/redactor';
import type { Keyring } from '@airlock/vault';
import { eq, isNotNull } from 'drizzle-orm';
import { credentialValueContext, openText, profileSecretContext } from '../../lib/sealed.js';

/** Marker name for profile key secrets found in output. */
export const PROFILE_SECRET_NAME = 'PROFILE_KEY_SECRET';

/**
 * Every secret Airlock stores — all credential values (not only the running profile's) and all
 * profile key secrets — for the redactor. Read at the start of each run, so a rotated value is
 * masked from the next run on.
 */
export function allSecrets(deps: { db: AirlockDb; keyring: Keyring }): Secret[] {
  const out: Secret[] = [];
  for (const c of deps.db.select().from(credentials).where(isNotNull(credentials.value)).all()) {
    out.push({
      name: c.name,
      value: openText(deps.keyring, c.value as Buffer, credentialValueContext(c.id)),
    });
  }
  for (const p of deps.db
    .select({ id: profiles.id, secret: profiles.secret })
    .from(profiles)
    .where(isNotNull(profiles.secret))
    .all()) {
    out.push({
      name: PROFILE_SECRET_NAME,
      value: openText(deps.keyring, p.secret as Buffer, profileSecretContext(p.id)),
    });
  }
  return out;
}

/** The running profile's credentials that have values: the script's `settings`. */
export function settingsFor(
  deps: { db: AirlockDb; keyring: Keyring },
  profileId: string,
): Record<string, string> {
  const rows = deps.db
    .select({ id: credentials.id, name: credentials.name, value: credentials.value })
    .from(profileCredentials)
    .innerJoin(credentials, eq(credentials.id, profileCredentials.credentialId))
    .where(eq(profileCredentials.profileId, profileId))
    .all();
  // fromEntries defines own properties: a credential named "__proto__" or "constructor" is an
  // ordinary key, never the object's prototype or an inherited member.
  return Object.fromEntries(
    rows
      .filter((r): r is typeof r & { value: Buffer } => r.value !== null)
      .map((r) => [r.name, openText(deps.keyring, r.value, credentialValueContext(r.id))]),
  );
}
