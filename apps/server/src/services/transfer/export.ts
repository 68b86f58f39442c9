import type { AirlockDb } from '@airlock/db';
import { credentials, profileCredentials, profiles, requirements } from '@airlock/db';
import { encryptExport, type Keyring } from '@airlock/vault';
import { asc } from 'drizzle-orm';
import type { DbLike } from '../../lib/db.js';
import { credentialValueContext, openText, profileSecretContext } from '../../lib/sealed.js';
import type { Clock } from '../../lib/time.js';
import { isoOrNull, isoUtc } from '../../lib/time.js';
import { type Actor, recordAudit } from '../audit/record.js';
import { storedDelivery } from '../credentials/delivery.js';
import { storedCa } from '../egress-ca.js';
import { profileNetwork } from '../profiles/network.js';
import type { ExportDocument } from './document.js';

/**
 * Builds the whole state as an export document (values and key secrets decrypted), read in one
 * transaction so the snapshot is consistent.
 */
export function buildExportDocument(deps: {
  db: AirlockDb;
  keyring: Keyring;
  clock: Clock;
}): ExportDocument {
  return deps.db.transaction((tx) => {
    const creds = tx.select().from(credentials).orderBy(asc(credentials.name)).all();
    const nameById = new Map(creds.map((c) => [c.id, c.name]));
    const links = tx.select().from(profileCredentials).all();
    return {
      format: 'airlock-export' as const,
      version: 1 as const,
      exported_at: isoUtc(deps.clock()),
      credentials: creds.map((c) => ({
        name: c.name,
        description: c.description,
        value:
          c.value === null ? null : openText(deps.keyring, c.value, credentialValueContext(c.id)),
        value_updated_at: isoOrNull(c.valueUpdatedAt),
        delivery: storedDelivery(c),
        created_by: c.createdBy,
        created_at: isoUtc(c.createdAt),
        updated_at: isoUtc(c.updatedAt),
      })),
      profiles: tx
        .select()
        .from(profiles)
        .orderBy(asc(profiles.createdAt))
        .all()
        .map((p) => ({
          id: p.id,
          description: p.description,
          locked: p.locked,
          key_id: p.keyId,
          secret:
            p.secret === null ? null : openText(deps.keyring, p.secret, profileSecretContext(p.id)),
          require_signature_v2: p.requireSignatureV2,
          network: profileNetwork(p),
          expires_at: isoOrNull(p.expiresAt),
          revoked: p.revoked,
          locked_at: isoOrNull(p.lockedAt),
          revoked_at: isoOrNull(p.revokedAt),
          created_by: p.createdBy,
          created_at: isoUtc(p.createdAt),
          updated_at: isoUtc(p.updatedAt),
          credentials: links
            .filter((l) => l.profileId === p.id)
            .map((l) => nameById.get(l.credentialId))
            .filter((n): n is string => n !== undefined)
            .sort(),
        })),
      ...egressCaOf(tx, deps.keyring),
      requirements: tx
        .select()
        .from(requirements)
        .orderBy(asc(requirements.name))
        .all()
        .map((r) => ({
          name: r.name,
          spec: r.spec,
          installed_version: r.installedVersion,
          installed_at: isoUtc(r.installedAt),
        })),
    };
  });
}

function egressCaOf(db: DbLike, keyring: Keyring) {
  const ca = storedCa({ db, keyring });
  return ca ? { egress_ca: { certificate: ca.certificate, private_key: ca.privateKey } } : {};
}

/**
 * `POST /api/admin/export`: the whole state encrypted under the passphrase (vault export format:
 * scrypt, AES-256-GCM, authenticated header).
 */
export async function exportState(
  deps: {
    db: AirlockDb;
    keyring: Keyring;
    clock: Clock;
    exportParams?: { N: number; r: number; p: number };
  },
  passphrase: string,
  actor: Actor,
): Promise<Buffer> {
  const doc = buildExportDocument(deps);
  const file = await encryptExport(
    JSON.stringify(doc),
    passphrase,
    deps.exportParams ? { kdf: deps.exportParams } : {},
  );
  recordAudit(deps, actor, 'state.export', undefined, {
    credentials: doc.credentials.length,
    profiles: doc.profiles.length,
  });
  return file;
}
