import type { AirlockDb } from '@airlock/db';
import { credentials, profileCredentials, profiles } from '@airlock/db';
import { type BrokeredCredential, brokerEntries, makePlaceholder } from '@airlock/egress';
import type { Secret } from '@airlock/redactor';
import type { Keyring } from '@airlock/vault';
import { eq, isNotNull } from 'drizzle-orm';
import { credentialValueContext, openText, profileSecretContext } from '../../lib/sealed.js';
import { type Delivery, storedDelivery } from '../credentials/delivery.js';

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

/** What a run gets of one of its profile's credentials. */
export interface RunCredential {
  name: string;
  value: string;
  delivery: Delivery;
}

/** The running profile's credentials that have values, with how each is delivered. */
export function runCredentials(
  deps: { db: AirlockDb; keyring: Keyring },
  profileId: string,
): RunCredential[] {
  return deps.db
    .select({
      id: credentials.id,
      name: credentials.name,
      value: credentials.value,
      delivery: credentials.delivery,
    })
    .from(profileCredentials)
    .innerJoin(credentials, eq(credentials.id, profileCredentials.credentialId))
    .where(eq(profileCredentials.profileId, profileId))
    .all()
    .filter((r): r is typeof r & { value: Buffer } => r.value !== null)
    .map((r) => ({
      name: r.name,
      value: openText(deps.keyring, r.value, credentialValueContext(r.id)),
      delivery: storedDelivery(r),
    }));
}

/** A run's `settings` and its brokered credentials (placeholders in `settings`). */
export interface RunSettings {
  settings: Record<string, string>;
  brokered: BrokeredCredential[];
}

/**
 * The script's `settings`: the value of an injected credential, a fresh placeholder for a
 * brokered one (the egress proxy puts the value into requests to its hosts).
 */
export function runSettings(creds: readonly RunCredential[]): RunSettings {
  const taken = new Set(creds.map((c) => c.value));
  const brokered: BrokeredCredential[] = [];
  const entries = creds.map((c): [string, string] => {
    if (c.delivery.mode !== 'broker') return [c.name, c.value];
    const placeholder = makePlaceholder(c.value, taken);
    taken.add(placeholder);
    brokered.push({
      name: c.name,
      value: c.value,
      placeholder,
      hosts: brokerEntries(c.delivery.hosts),
    });
    return [c.name, placeholder];
  });
  // fromEntries defines own properties: a credential named "__proto__" or "constructor" is an
  // ordinary key, never the object's prototype or an inherited member.
  return { settings: Object.fromEntries(entries), brokered };
}
