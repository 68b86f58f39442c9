import { randomUUID } from 'node:crypto';
import type { AirlockDb } from '@airlock/db';
import { credentials } from '@airlock/db';
import type { Keyring } from '@airlock/vault';
import { eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import { credentialValueContext, sealText } from '../../lib/sealed.js';
import type { Clock } from '../../lib/time.js';
import { type Actor, creatorOf, recordAudit } from '../audit/record.js';
import { INJECT, validDelivery } from './delivery.js';
import { findCredentialByName } from './queries.js';

/**
 * `POST /api/admin/credentials`: a new credential, optionally with its value. The value is
 * sealed with associated data naming the new row before the row is written, in one statement.
 */
export function createCredential(
  deps: { db: AirlockDb; clock: Clock; keyring: Keyring },
  input: {
    name: string;
    description?: string | undefined;
    value?: string | undefined;
    delivery?: unknown;
  },
  actor: Actor,
) {
  const delivery = input.delivery === undefined ? INJECT : validDelivery(input.delivery);
  const now = deps.clock();
  const id = randomUUID();
  deps.db.transaction((tx) => {
    if (findCredentialByName(tx, input.name)) {
      throw new AppError('CONFLICT', `Credential '${input.name}' already exists`);
    }
    tx.insert(credentials)
      .values({
        id,
        name: input.name,
        description: input.description ?? '',
        value:
          input.value === undefined
            ? null
            : sealText(deps.keyring, input.value, credentialValueContext(id)),
        valueUpdatedAt: input.value === undefined ? null : now,
        delivery: JSON.stringify(delivery),
        createdBy: creatorOf(actor),
        createdAt: now,
        updatedAt: now,
      })
      .run();
  });
  recordAudit(
    deps,
    actor,
    'credential.create',
    { type: 'credential', id },
    {
      name: input.name,
      with_value: input.value !== undefined,
      delivery: delivery.mode,
    },
  );
  const row = deps.db.select().from(credentials).where(eq(credentials.id, id)).get();
  if (!row) throw new Error('credential vanished after insert');
  return row;
}
