import { type AirlockDb, credentials } from '@airlock/db';
import type { Keyring } from '@airlock/vault';
import { asc, sql } from 'drizzle-orm';
import { preparedRows } from '../../lib/prepared.js';
import { credentialValueContext, openText } from '../../lib/sealed.js';
import { isRedactable } from '../redaction-policy.js';
import { storedDelivery } from './delivery.js';
import { type CredentialRow, listCredentialRows, profilesUsing } from './queries.js';
import { adminCredentialView } from './views.js';

/** `GET /credentials`: every slot, sorted by name, without values. */
export function listCredentialsForAgent(deps: { db: AirlockDb }) {
  const q = preparedRows(deps.db, 'credentials.agent-list', (db) =>
    db
      .select({
        name: credentials.name,
        description: credentials.description,
        hasValue: sql<number>`${credentials.value} IS NOT NULL`,
        delivery: credentials.delivery,
      })
      .from(credentials)
      .orderBy(asc(credentials.name)),
  );
  return q.all().map(([name, description, hasValue, delivery]) => ({
    name: name as string,
    description: description as string,
    value_exists: hasValue === 1,
    delivery: storedDelivery({ delivery: delivery as string }),
  }));
}

/** The admin view of one credential: value status, redactability, the profiles using it. */
export function adminCredential(deps: { db: AirlockDb; keyring: Keyring }, row: CredentialRow) {
  return adminCredentialView(row, {
    usedBy: profilesUsing(deps.db, row.id),
    redactable:
      row.value === null
        ? null
        : isRedactable(openText(deps.keyring, row.value, credentialValueContext(row.id))),
  });
}

/** `GET /api/admin/credentials`. */
export function listCredentialsForAdmin(deps: { db: AirlockDb; keyring: Keyring }) {
  return listCredentialRows(deps.db).map((row) => adminCredential(deps, row));
}
