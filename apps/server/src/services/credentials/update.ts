import type { AirlockDb } from '@airlock/db';
import { credentials } from '@airlock/db';
import type { Keyring } from '@airlock/vault';
import { eq } from 'drizzle-orm';
import { credentialValueContext, sealText } from '../../lib/sealed.js';
import type { Clock } from '../../lib/time.js';
import { type Actor, recordAudit } from '../audit/record.js';
import { validDelivery } from './delivery.js';
import { getCredentialByName } from './queries.js';

/**
 * `PUT /api/admin/credentials/{name}`: set or rotate the value (`value: string`), clear it
 * (`value: null`), change the description and/or the delivery (`inject` or `broker` with hosts;
 * invalid: 422, nothing changes). Locked profiles see a rotated value at their
 * next execution (values are read at run time, never cached in a profile).
 */
export function updateCredential(
  deps: { db: AirlockDb; clock: Clock; keyring: Keyring },
  name: string,
  input: {
    description?: string | undefined;
    value?: string | null | undefined;
    delivery?: unknown;
  },
  actor: Actor,
) {
  const delivery = input.delivery === undefined ? undefined : validDelivery(input.delivery);
  const now = deps.clock();
  const row = getCredentialByName(deps.db, name);
  const patch: Partial<typeof credentials.$inferInsert> = { updatedAt: now };
  if (input.description !== undefined) patch.description = input.description;
  if (delivery !== undefined) patch.delivery = JSON.stringify(delivery);
  if (input.value === null) {
    patch.value = null;
    patch.valueUpdatedAt = now;
  } else if (input.value !== undefined) {
    patch.value = sealText(deps.keyring, input.value, credentialValueContext(row.id));
    patch.valueUpdatedAt = now;
  }
  deps.db.update(credentials).set(patch).where(eq(credentials.id, row.id)).run();
  const action =
    input.value === null
      ? 'credential.clear_value'
      : input.value !== undefined
        ? 'credential.set_value'
        : 'credential.update';
  recordAudit(deps, actor, action, { type: 'credential', id: row.id }, { name });
  if (delivery !== undefined && JSON.stringify(delivery) !== row.delivery) {
    recordAudit(
      deps,
      actor,
      'credential.delivery',
      { type: 'credential', id: row.id },
      {
        name,
        ...delivery,
      },
    );
  }
  return getCredentialByName(deps.db, name);
}
