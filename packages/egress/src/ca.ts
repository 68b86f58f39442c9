/**
 * The instance certificate authority for brokered hosts: the proxy terminates a script's TLS to a
 * host a brokered credential is bound to with a certificate this CA issues, so it can put the
 * value into the request. The CA's private key lives in the server (sealed at rest by the
 * caller); only its certificate enters a sandbox, as a trusted root.
 *
 * ECDSA P-256 throughout (native WebCrypto: a leaf costs about a millisecond). Certificates are
 * built with pkijs; nothing here parses untrusted input.
 */
import { createHash, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** The CA is long-lived (rotation is an operator's act, see the admin API). */
const CA_VALID_DAYS = 3650;
/** Leaves are short-lived and reissued before they expire. */
const LEAF_VALID_DAYS = 7;
/** Issued contexts kept per CA (a run rarely talks to more than a few bound hosts). */
const LEAF_CACHE = 256;

let engineSet = false;
function engine(): void {
  if (engineSet) return;
  pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as never }));
  engineSet = true;
}

/** A CA as stored: PEM certificate and PKCS#8 PEM private key. */
export interface CertificateAuthorityPem {
  certificate: string;
  privateKey: string;
}

/** What an operator sees of a CA (never the key). */
export interface CertificateAuthorityInfo {
  certificate: string;
  fingerprintSha256: string;
  notBefore: string;
  notAfter: string;
  subject: string;
}

function pem(label: string, der: ArrayBuffer | Uint8Array): string {
  const b64 = Buffer.from(der as ArrayBuffer).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

function unpem(text: string, label: string): Uint8Array {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(
    text,
  );
  if (!m) throw new Error(`not a PEM ${label}`);
  return new Uint8Array(Buffer.from((m[1] as string).replace(/\s/g, ''), 'base64'));
}

/**
 * The octets of a serial from 16 random ones (RFC 5280: positive, at most 20 octets, unique per
 * issuer), DER-minimal: the first octet in 0x01-0x7f, so there is no sign bit to pad and no
 * leading zero to drop. (Clearing the sign bit alone left a leading zero one time in 256, and
 * OpenSSL refuses such a certificate: "illegal padding".)
 */
export function serialOctets(random: Uint8Array): Uint8Array {
  const out = Uint8Array.from(random);
  out[0] = ((out[0] as number) % 0x7f) + 1;
  return out;
}

function serial(): asn1js.Integer {
  return new asn1js.Integer({ valueHex: serialOctets(randomBytes(16)) });
}

function name(commonName: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [
      new pkijs.AttributeTypeAndValue({
        type: '2.5.4.3',
        value: new asn1js.Utf8String({ value: commonName }),
      }),
    ],
  });
}

function extension(id: string, critical: boolean, value: { toSchema(): asn1js.AsnType }) {
  return new pkijs.Extension({
    extnID: id,
    critical,
    extnValue: value.toSchema().toBER(false),
  });
}

/** keyUsage bits (BIT STRING, named bits from the left). */
function keyUsage(bits: number[]): pkijs.Extension {
  let value = 0;
  for (const b of bits) value |= 0x80 >> b;
  return new pkijs.Extension({
    extnID: '2.5.29.15',
    critical: true,
    extnValue: new asn1js.BitString({
      valueHex: new Uint8Array([value]).buffer,
      unusedBits: 1,
    }).toBER(false),
  });
}

async function keyIdentifier(publicKey: webcrypto.CryptoKey): Promise<Uint8Array> {
  const spki = await webcrypto.subtle.exportKey('spki', publicKey);
  return new Uint8Array(createHash('sha1').update(Buffer.from(spki)).digest());
}

/**
 * Creates a new CA (self-signed, 10 years, path length 0).
 *
 * @example
 * const ca = await createCertificateAuthority('Airlock egress CA (instance 3f2a…)');
 * // store ca.certificate; seal ca.privateKey
 */
export async function createCertificateAuthority(
  commonName: string,
  now: Date = new Date(),
): Promise<CertificateAuthorityPem> {
  engine();
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = serial();
  cert.subject = name(commonName);
  cert.issuer = name(commonName);
  cert.notBefore.value = new Date(now.getTime() - DAY_MS);
  cert.notAfter.value = new Date(now.getTime() + CA_VALID_DAYS * DAY_MS);
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey);
  const ski = await keyIdentifier(keys.publicKey);
  cert.extensions = [
    extension('2.5.29.19', true, new pkijs.BasicConstraints({ cA: true, pathLenConstraint: 0 })),
    keyUsage([5, 6]), // keyCertSign, cRLSign
    new pkijs.Extension({
      extnID: '2.5.29.14',
      critical: false,
      extnValue: new asn1js.OctetString({ valueHex: ski }).toBER(false),
    }),
  ];
  await cert.sign(keys.privateKey, 'SHA-256');
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certificate: pem('CERTIFICATE', cert.toSchema(true).toBER(false)),
    privateKey: pem('PRIVATE KEY', pkcs8),
  };
}

/** The public facts of a CA certificate. */
export function describeCertificateAuthority(certificatePem: string): CertificateAuthorityInfo {
  const x = new X509Certificate(certificatePem);
  return {
    certificate: x.toString(),
    fingerprintSha256: x.fingerprint256,
    notBefore: new Date(x.validFrom).toISOString(),
    notAfter: new Date(x.validTo).toISOString(),
    subject: x.subject,
  };
}

/** Issues server certificates for brokered hosts; one per CA, caches what it issued. */
export interface Issuer {
  /** The CA certificate (PEM): what a sandbox trusts. */
  readonly certificate: string;
  /** A TLS server context for `host` (a DNS name: brokered hosts are names), issued or cached. */
  contextFor(host: string): Promise<SecureContext>;
}

/**
 * Loads a stored CA for issuing. Throws if the key does not belong to the certificate.
 *
 * @example
 * const issuer = await loadIssuer(stored);
 * const ctx = await issuer.contextFor('api.example.com');
 */
export async function loadIssuer(ca: CertificateAuthorityPem): Promise<Issuer> {
  engine();
  const caX509 = new X509Certificate(ca.certificate);
  if (!caX509.ca) throw new Error('the certificate is not a CA certificate');
  const signingKey = await webcrypto.subtle.importKey(
    'pkcs8',
    unpem(ca.privateKey, 'PRIVATE KEY'),
    ALGORITHM,
    false,
    ['sign'],
  );
  const caCert = pkijs.Certificate.fromBER(unpem(ca.certificate, 'CERTIFICATE'));
  const caPublic = await caCert.getPublicKey();
  const aki = await keyIdentifier(caPublic);
  // The key must be the certificate's: sign and verify one probe.
  const probe = new Uint8Array(randomBytes(32));
  const signAlg = { name: 'ECDSA', hash: 'SHA-256' };
  const sig = await webcrypto.subtle.sign(signAlg, signingKey, probe);
  if (!(await webcrypto.subtle.verify(signAlg, caPublic, sig, probe)))
    throw new Error('the private key does not belong to the CA certificate');
  // One key pair for the leaves of this issuer (they are only ever served by this process).
  const leafKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const leafKeyPem = pem(
    'PRIVATE KEY',
    await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey),
  );
  const leafSki = await keyIdentifier(leafKeys.publicKey);
  const cache = new Map<string, { context: Promise<SecureContext>; renewAt: number }>();

  const issue = async (host: string): Promise<SecureContext> => {
    const now = Date.now();
    const cert = new pkijs.Certificate();
    cert.version = 2;
    cert.serialNumber = serial();
    cert.subject = name(host.length <= 64 ? host : 'airlock-brokered-host');
    cert.issuer = caCert.subject;
    cert.notBefore.value = new Date(now - DAY_MS);
    const notAfter = Math.min(now + LEAF_VALID_DAYS * DAY_MS, new Date(caX509.validTo).getTime());
    cert.notAfter.value = new Date(notAfter);
    await cert.subjectPublicKeyInfo.importKey(leafKeys.publicKey);
    const altName = new pkijs.GeneralName({ type: 2, value: host });
    cert.extensions = [
      extension('2.5.29.19', true, new pkijs.BasicConstraints({ cA: false })),
      keyUsage([0]), // digitalSignature
      extension('2.5.29.37', false, new pkijs.ExtKeyUsage({ keyPurposes: ['1.3.6.1.5.5.7.3.1'] })),
      extension('2.5.29.17', false, new pkijs.AltName({ altNames: [altName] })),
      new pkijs.Extension({
        extnID: '2.5.29.14',
        critical: false,
        extnValue: new asn1js.OctetString({ valueHex: leafSki }).toBER(false),
      }),
      extension(
        '2.5.29.35',
        false,
        new pkijs.AuthorityKeyIdentifier({
          keyIdentifier: new asn1js.OctetString({ valueHex: aki }),
        }),
      ),
    ];
    await cert.sign(signingKey, 'SHA-256');
    return createSecureContext({
      key: leafKeyPem,
      cert: pem('CERTIFICATE', cert.toSchema(true).toBER(false)) + ca.certificate,
      minVersion: 'TLSv1.2',
    });
  };

  return {
    certificate: caX509.toString(),
    contextFor(host) {
      const key = host.toLowerCase();
      const hit = cache.get(key);
      if (hit && hit.renewAt > Date.now()) return hit.context;
      const context = issue(key);
      // A failed issue is not cached.
      context.catch(() => cache.delete(key));
      if (cache.size >= LEAF_CACHE) cache.delete(cache.keys().next().value as string);
      cache.set(key, { context, renewAt: Date.now() + (LEAF_VALID_DAYS - 1) * DAY_MS });
      return context;
    },
  };
}
