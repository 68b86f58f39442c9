/**
 * @airlock/vault: AES-256-GCM seal and open per second for a small (64 B) and a larger (4 KiB)
 * value, and the time of one export key derivation with the default scrypt parameters
 * (N = 2^17, r = 8, p = 1), which is what an export or import costs before any data is touched.
 */
import { randomBytes } from 'node:crypto';
import { createKeyring, DEFAULT_SCRYPT_PARAMS, decryptExport, encryptExport } from '@airlock/vault';
import { fmt, opsPerSecond, stats, writeSection } from './report.js';

const keyring = createKeyring([{ version: 1, key: randomBytes(32) }]);
const aad = 'airlock:v1:credentials:value:12345';

const rows: string[] = [];
for (const [label, size] of [
  ['64 B', 64],
  ['4 KiB', 4096],
] as const) {
  const value = randomBytes(size);
  const blob = keyring.seal(value, aad);
  const sealRate = opsPerSecond(() => {
    keyring.seal(value, aad);
  });
  const openRate = opsPerSecond(() => {
    if (!keyring.open(blob, aad).ok) throw new Error('open failed');
  });
  rows.push(`| ${label} | ${fmt(sealRate, 0)} | ${fmt(openRate, 0)} |`);
}

// Export: encrypt + decrypt a tiny payload, so the time is the scrypt derivation (one per call).
const derive: number[] = [];
const samples = 7;
const file = await encryptExport('{}', 'benchmark passphrase (fake)');
for (let i = 0; i < samples; i++) {
  const start = process.hrtime.bigint();
  const r = await decryptExport(file, 'benchmark passphrase (fake)');
  derive.push(Number(process.hrtime.bigint() - start) / 1e6);
  if (!r.ok) throw new Error(r.message);
}
const d = stats(derive);
const { N, r, p } = DEFAULT_SCRYPT_PARAMS;

writeSection(
  'vault',
  'Vault: seal/open and export key derivation',
  `
AES-256-GCM through \`Keyring.seal\` / \`Keyring.open\` (v1 blob, 12-byte random nonce, 16-byte tag,
associated data bound), single thread, 1 s per figure.

| value size | seal/s | open/s |
|---|---:|---:|
${rows.join('\n')}

Export key derivation (scrypt N = 2^${Math.log2(N)}, r = ${r}, p = ${p}, ${(128 * N * r) / 2 ** 20} MiB; async,
off the event loop), measured as one \`decryptExport\` of a 2-byte payload, ${samples} runs:
median ${fmt(d.median)} ms, p95 ${fmt(d.p95)} ms, min ${fmt(d.min)} ms.
`,
);
