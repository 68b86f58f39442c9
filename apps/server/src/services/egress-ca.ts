/**
 * The instance certificate authority of brokered credentials: created at first start, its
 * certificate stored in `meta`, its private key sealed with the master key like every other
 * secret (never written anywhere else, never in a sandbox). Sandboxes that hold brokered
 * placeholders trust its certificate; the proxy issues certificates for the bound hosts with it.
 * Rotation replaces both; runs started afterwards use the new one.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import type { AirlockDb } from '@airlock/db';
import { meta } from '@airlock/db';
import {
  type CertificateAuthorityInfo,
  type CertificateAuthorityPem,
  createCertificateAuthority,
  describeCertificateAuthority,
  type Issuer,
  loadIssuer,
} from '@airlock/egress';
import { fieldContext, type Keyring } from '@airlock/vault';
import { eq } from 'drizzle-orm';
import type { DbLike } from '../lib/db.js';
import { openText, sealText } from '../lib/sealed.js';
import type { Clock } from '../lib/time.js';
import { type Actor, recordAudit } from './audit/record.js';

const CERT_KEY = 'egress_ca_certificate';
const KEY_KEY = 'egress_ca_key';
const keyContext = () => fieldContext('meta', 'value', KEY_KEY);

/** The system's trusted roots (Debian's bundle), which a sandbox keeps trusting. */
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** The stored CA certificate (PEM), if there is one: public, needs no key. */
export function storedCaCertificate(db: DbLike): string | undefined {
  return db.select().from(meta).where(eq(meta.key, CERT_KEY)).get()?.value.toString('utf8');
}

/** Whether a CA from outside (an import) is usable: a CA certificate and its own key. */
export function isUsableCa(ca: CertificateAuthorityPem): boolean {
  try {
    const x = new X509Certificate(ca.certificate);
    return x.ca && x.checkPrivateKey(createPrivateKey(ca.privateKey));
  } catch {
    return false;
  }
}

/** The stored CA, if there is one. */
export function storedCa(deps: {
  db: DbLike;
  keyring: Keyring;
}): CertificateAuthorityPem | undefined {
  const cert = deps.db.select().from(meta).where(eq(meta.key, CERT_KEY)).get();
  const key = deps.db.select().from(meta).where(eq(meta.key, KEY_KEY)).get();
  if (!cert || !key) return undefined;
  return {
    certificate: cert.value.toString('utf8'),
    privateKey: openText(deps.keyring, key.value, keyContext()),
  };
}

/** Replaces the stored CA (in the caller's transaction, if any). */
export function storeCa(deps: { db: DbLike; keyring: Keyring }, ca: CertificateAuthorityPem): void {
  const rows = [
    { key: CERT_KEY, value: Buffer.from(ca.certificate, 'utf8') },
    { key: KEY_KEY, value: sealText(deps.keyring, ca.privateKey, keyContext()) },
  ];
  for (const row of rows) {
    deps.db
      .insert(meta)
      .values(row)
      .onConflictDoUpdate({ target: meta.key, set: { value: row.value } })
      .run();
  }
}

/** The instance CA as the running server holds it. */
export interface InstanceCa {
  /** The issuer of the current CA (loaded once per CA). */
  issuer(): Promise<Issuer>;
  /** The current CA's public facts. */
  info(): Promise<CertificateAuthorityInfo>;
  /**
   * A file a sandbox trusts: the system roots plus the current CA certificate (one file per CA,
   * in `<data dir>/egress/trust`, readable by the sandbox's uid).
   */
  trustBundle(): Promise<string>;
  /** A new CA; runs started afterwards use it. */
  rotate(actor: Actor): Promise<CertificateAuthorityInfo>;
}

/**
 * Opens the instance CA, creating it on first use.
 *
 * @example
 * const ca = openInstanceCa({ db, keyring, clock, egressDir });
 * const issuer = await ca.issuer();
 */
export function openInstanceCa(deps: {
  db: AirlockDb;
  keyring: Keyring;
  clock: Clock;
  egressDir: string;
}): InstanceCa {
  let current: { pem: CertificateAuthorityPem; issuer: Promise<Issuer> } | undefined;
  let creating: Promise<void> | undefined;

  const load = async (): Promise<{ pem: CertificateAuthorityPem; issuer: Promise<Issuer> }> => {
    const stored = storedCa(deps);
    if (stored) {
      if (current?.pem.certificate !== stored.certificate)
        current = { pem: stored, issuer: loadIssuer(stored) };
      return current;
    }
    // Two runs starting at once create one CA.
    creating ??= (async () => {
      const ca = await createCertificateAuthority(commonName(deps.clock()), deps.clock());
      if (!storedCa(deps)) storeCa(deps, ca);
    })().finally(() => {
      creating = undefined;
    });
    await creating;
    return load();
  };

  return {
    issuer: async () => (await load()).issuer,
    info: async () => describeCertificateAuthority((await load()).pem.certificate),
    async trustBundle() {
      const { pem } = await load();
      const dir = join(deps.egressDir, 'trust');
      const name = `${createHash('sha256').update(pem.certificate).digest('hex').slice(0, 32)}.pem`;
      const path = join(dir, name);
      if (!existsSync(path)) {
        mkdirSync(dir, { recursive: true, mode: 0o711 });
        chmodSync(dir, 0o711);
        const system = existsSync(SYSTEM_BUNDLE) ? readFileSync(SYSTEM_BUNDLE, 'utf8') : '';
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(
          tmp,
          `${system.trimEnd()}\n# Airlock instance CA (brokered credentials)\n${pem.certificate}`,
          {
            mode: 0o644,
          },
        );
        chmodSync(tmp, 0o644);
        renameSync(tmp, path);
      }
      return path;
    },
    async rotate(actor) {
      const ca = await createCertificateAuthority(commonName(deps.clock()), deps.clock());
      const info = describeCertificateAuthority(ca.certificate);
      deps.db.transaction((tx) => {
        storeCa({ db: tx, keyring: deps.keyring }, ca);
        recordAudit(
          { db: tx, clock: deps.clock },
          actor,
          'egress_ca.rotate',
          { type: 'egress_ca', id: info.fingerprintSha256 },
          { not_after: info.notAfter },
        );
      });
      return info;
    },
  };
}

function commonName(now: Date): string {
  return `Airlock egress CA for brokered credentials ${now.toISOString().slice(0, 10)}`;
}

/**
 * The roots a brokered host's upstream certificate is verified against: Node's bundled roots,
 * plus the certificates in `AIRLOCK_EGRESS_CA_FILE` (an internal CA). A file that cannot be
 * read or holds no certificate stops the start (the operator meant something else).
 */
export function upstreamTrust(caFile: string | undefined): SecureContext {
  return createSecureContext({ ca: upstreamRoots(caFile) });
}

function upstreamRoots(caFile: string | undefined): string[] {
  if (caFile === undefined) return [...rootCertificates];
  let text: string;
  try {
    text = readFileSync(caFile, 'utf8');
  } catch (e) {
    throw new Error(`AIRLOCK_EGRESS_CA_FILE: cannot read ${caFile} (${(e as Error).message})`);
  }
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (certs.length === 0)
    throw new Error(`AIRLOCK_EGRESS_CA_FILE: ${caFile} holds no PEM certificate`);
  return [...rootCertificates, ...certs.map((c) => `${c}\n`)];
}
