import { randomUUID } from 'node:crypto';
import type { AirlockDb } from '@airlock/db';
import {
  credentials,
  EARLIER_CREATOR,
  profileCredentials,
  profiles,
  requirements,
} from '@airlock/db';
import { NO_NETWORK, parsePolicy } from '@airlock/egress';
import type { Keyring } from '@airlock/vault';
import { decryptExport } from '@airlock/vault';
import { eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { DbLike } from '../../lib/db.js';
import { credentialValueContext, profileSecretContext, sealText } from '../../lib/sealed.js';
import type { Clock } from '../../lib/time.js';
import { type Actor, recordAudit } from '../audit/record.js';
import { INJECT, parseDelivery } from '../credentials/delivery.js';
import { isUsableCa, storeCa, storedCaCertificate } from '../egress-ca.js';
import { type ExportDocument, exportDocumentSchema } from './document.js';

export type MergeStrategy = 'skip' | 'overwrite';

/** What an import would do (preview) or did: per kind, new and duplicate identifiers. */
export interface ImportPlan {
  exported_at: string;
  credentials: { new: string[]; duplicate: string[] };
  profiles: { new: string[]; duplicate: string[]; conflicting_key: string[] };
  requirements: { new: string[]; duplicate: string[] };
  /** The export's instance CA against this one's (replaced only when overwriting). */
  egress_ca: 'absent' | 'same' | 'different';
}

/** Largest export file accepted (bytes). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

/**
 * Decrypts and validates an uploaded export: size and KDF parameters are checked before the key
 * is derived, the file is authenticated before it is parsed, and the document is validated
 * against its schema. Every problem is a 422 with a message that says what is wrong.
 */
export async function openExportFile(file: Buffer, passphrase: string): Promise<ExportDocument> {
  const opened = await decryptExport(file, passphrase, { maxBytes: MAX_IMPORT_BYTES });
  if (!opened.ok) throw new AppError('VALIDATION', opened.message);
  let parsed: unknown;
  try {
    parsed = JSON.parse(opened.plaintext.toString('utf8'));
  } catch {
    throw new AppError(
      'VALIDATION',
      'The export file decrypted but does not hold an Airlock export document',
    );
  } finally {
    opened.plaintext.fill(0);
  }
  const doc = exportDocumentSchema.safeParse(parsed);
  if (!doc.success) {
    throw new AppError(
      'VALIDATION',
      'The export file decrypted but its content is not a valid Airlock export (version 1)',
    );
  }
  return doc.data;
}

/** Compares a document with the current state, without changing anything. */
export function planImport(db: DbLike, doc: ExportDocument): ImportPlan {
  const plan: ImportPlan = {
    exported_at: doc.exported_at,
    credentials: { new: [], duplicate: [] },
    profiles: { new: [], duplicate: [], conflicting_key: [] },
    requirements: { new: [], duplicate: [] },
    egress_ca: 'absent',
  };
  for (const c of doc.credentials) {
    const exists = db
      .select({ id: credentials.id })
      .from(credentials)
      .where(eq(credentials.name, c.name))
      .get();
    (exists ? plan.credentials.duplicate : plan.credentials.new).push(c.name);
  }
  for (const p of doc.profiles) {
    const exists = db.select({ id: profiles.id }).from(profiles).where(eq(profiles.id, p.id)).get();
    if (exists) {
      plan.profiles.duplicate.push(p.id);
      continue;
    }
    const keyOwner =
      p.key_id === null
        ? undefined
        : db.select({ id: profiles.id }).from(profiles).where(eq(profiles.keyId, p.key_id)).get();
    (keyOwner ? plan.profiles.conflicting_key : plan.profiles.new).push(p.id);
  }
  for (const r of doc.requirements) {
    const exists = db
      .select({ name: requirements.name })
      .from(requirements)
      .where(eq(requirements.name, r.name))
      .get();
    (exists ? plan.requirements.duplicate : plan.requirements.new).push(r.name);
  }
  if (doc.egress_ca)
    plan.egress_ca = storedCaCertificate(db) === doc.egress_ca.certificate ? 'same' : 'different';
  return plan;
}

/**
 * Applies a document in one transaction (all or nothing). Values and key secrets are sealed again
 * under this instance's key, bound to their new rows; profile ids and `ark_` key ids are kept,
 * so agents' keys keep working. Duplicates are skipped or overwritten per `strategy`; a profile
 * whose key id belongs to another local profile is always skipped (reported as conflicting).
 */
export function applyImport(
  deps: { db: AirlockDb; keyring: Keyring; clock: Clock },
  doc: ExportDocument,
  strategy: MergeStrategy,
  actor: Actor,
): ImportPlan {
  const ca = doc.egress_ca && {
    certificate: doc.egress_ca.certificate,
    privateKey: doc.egress_ca.private_key,
  };
  if (ca && !isUsableCa(ca))
    throw new AppError(
      'VALIDATION',
      "The export's egress CA is not a CA certificate with its private key; nothing was imported",
    );
  const now = deps.clock();
  const d = (iso: string | null) => (iso === null ? null : new Date(iso));
  return deps.db.transaction((tx) => {
    const plan = planImport(tx, doc);
    const overwrite = strategy === 'overwrite';

    for (const c of doc.credentials) {
      const existing = tx.select().from(credentials).where(eq(credentials.name, c.name)).get();
      if (existing && !overwrite) continue;
      const id = existing?.id ?? randomUUID();
      const row = {
        name: c.name,
        description: c.description,
        value:
          c.value === null ? null : sealText(deps.keyring, c.value, credentialValueContext(id)),
        valueUpdatedAt: d(c.value_updated_at),
        delivery: JSON.stringify(c.delivery === undefined ? INJECT : parseDelivery(c.delivery)),
        createdBy: c.created_by ?? EARLIER_CREATOR,
        createdAt: existing?.createdAt ?? new Date(c.created_at),
        updatedAt: now,
      };
      if (existing) tx.update(credentials).set(row).where(eq(credentials.id, id)).run();
      else
        tx.insert(credentials)
          .values({ id, ...row })
          .run();
    }

    const credentialIds = new Map(
      tx
        .select({ id: credentials.id, name: credentials.name })
        .from(credentials)
        .all()
        .map((r) => [r.name, r.id]),
    );
    for (const p of doc.profiles) {
      if (plan.profiles.conflicting_key.includes(p.id)) continue;
      const existing = plan.profiles.duplicate.includes(p.id);
      if (existing && !overwrite) continue;
      if (existing && p.key_id !== null) {
        const owner = tx
          .select({ id: profiles.id })
          .from(profiles)
          .where(eq(profiles.keyId, p.key_id))
          .get();
        if (owner && owner.id !== p.id) continue; // would steal another profile's key id
      }
      const row = {
        description: p.description,
        locked: p.locked,
        keyId: p.key_id,
        secret:
          p.secret === null ? null : sealText(deps.keyring, p.secret, profileSecretContext(p.id)),
        requireSignatureV2: p.require_signature_v2,
        // Validated with the document; older exports have none (no network).
        network: JSON.stringify(p.network === undefined ? NO_NETWORK : parsePolicy(p.network)),
        expiresAt: d(p.expires_at),
        revoked: p.revoked,
        lockedAt: d(p.locked_at),
        revokedAt: d(p.revoked_at),
        createdBy: p.created_by ?? EARLIER_CREATOR,
        createdAt: new Date(p.created_at),
        updatedAt: now,
      };
      if (existing) {
        tx.update(profiles).set(row).where(eq(profiles.id, p.id)).run();
        tx.delete(profileCredentials).where(eq(profileCredentials.profileId, p.id)).run();
      } else {
        tx.insert(profiles)
          .values({ id: p.id, ...row })
          .run();
      }
      for (const name of p.credentials) {
        const credentialId = credentialIds.get(name);
        if (credentialId === undefined) continue; // the export lists only credentials it contains
        tx.insert(profileCredentials)
          .values({ profileId: p.id, credentialId })
          .onConflictDoNothing()
          .run();
      }
    }

    for (const r of doc.requirements) {
      const values = {
        spec: r.spec,
        installedVersion: r.installed_version,
        installedAt: new Date(r.installed_at),
      };
      if (overwrite) {
        tx.insert(requirements)
          .values({ name: r.name, ...values })
          .onConflictDoUpdate({ target: requirements.name, set: values })
          .run();
      } else {
        tx.insert(requirements)
          .values({ name: r.name, ...values })
          .onConflictDoNothing()
          .run();
      }
    }

    if (ca && overwrite && plan.egress_ca === 'different')
      storeCa({ db: tx, keyring: deps.keyring }, ca);

    recordAudit({ db: tx, clock: deps.clock }, actor, 'state.import', undefined, {
      strategy,
      egress_ca: overwrite && plan.egress_ca === 'different' ? 'replaced' : plan.egress_ca,
      credentials_new: plan.credentials.new.length,
      credentials_duplicate: plan.credentials.duplicate.length,
      profiles_new: plan.profiles.new.length,
      profiles_duplicate: plan.profiles.duplicate.length,
      profiles_conflicting_key: plan.profiles.conflicting_key.length,
    });
    return plan;
  });
}
