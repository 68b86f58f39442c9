/**
 * @airlock/auth: signature verifications per second (v1 and v2, 1 KiB and 64 KiB scripts, plus
 * v2 with the in-memory replay guard), profile key generation per second, and the time of one
 * admin password hash with the default scrypt parameters.
 */
import {
  DEFAULT_SCRYPT_PARAMS,
  generateProfileKey,
  hashPassword,
  MemoryNonceStore,
  signV1,
  signV2,
  verifyPassword,
  verifyRequest,
  verifySignature,
} from '@airlock/auth';
import { fmt, opsPerSecond, stats, writeSection } from './report.js';

const { keyId, secret } = generateProfileKey();
const T = 1_800_000_000;
const now = () => T * 1000;

const rows: string[] = [];
for (const [label, size] of [
  ['1 KiB', 1024],
  ['64 KiB', 64 * 1024],
] as const) {
  // Exactly `size` UTF-8 bytes, with a few multi-byte characters like a real script.
  const head = 'print("héllo ✓")\n';
  const script = head + 'x'.repeat(size - Buffer.byteLength(head));
  const v1 = { script, hash: signV1(secret, script) };
  const s = signV2(secret, script, { timestamp: T });
  const v2 = { script, hash: s.hash, timestamp: s.timestamp, nonce: s.nonce };
  const v1Rate = opsPerSecond(() => {
    if (!verifySignature(secret, v1).ok) throw new Error('v1 verify failed');
  });
  const v2Rate = opsPerSecond(() => {
    if (!verifySignature(secret, v2, { now }).ok) throw new Error('v2 verify failed');
  });
  const bad = { ...v1, hash: `${v1.hash.slice(0, 63)}${v1.hash[63] === '0' ? '1' : '0'}` };
  const badRate = opsPerSecond(() => {
    if (verifySignature(secret, bad).ok) throw new Error('bad signature accepted');
  });
  rows.push(`| ${label} | ${fmt(v1Rate, 0)} | ${fmt(v2Rate, 0)} | ${fmt(badRate, 0)} |`);
}

// v2 through verifyRequest: a fresh signed request each time (signing cost excluded by
// pre-signing a batch), each claiming a new nonce in a MemoryNonceStore.
const batch = 20_000;
const script1k = 'y'.repeat(1024);
const signed = Array.from({ length: batch }, () => {
  const s = signV2(secret, script1k, { timestamp: T });
  return { script: script1k, hash: s.hash, timestamp: s.timestamp, nonce: s.nonce };
});
const nonceStore = new MemoryNonceStore({ maxEntries: batch + 1 });
const start = process.hrtime.bigint();
for (const req of signed) {
  const r = await verifyRequest(secret, keyId, req, { nonceStore, now });
  if (!r.ok) throw new Error(`verifyRequest failed: ${r.reason}`);
}
const guardedRate = batch / (Number(process.hrtime.bigint() - start) / 1e9);

const keyRate = opsPerSecond(() => {
  generateProfileKey();
});

const hashTimes: number[] = [];
const verifyTimes: number[] = [];
const samples = 7;
const password = 'benchmark password (fake)';
for (let i = 0; i < samples; i++) {
  const t0 = process.hrtime.bigint();
  const stored = await hashPassword(password);
  const t1 = process.hrtime.bigint();
  const r = await verifyPassword(password, stored);
  const t2 = process.hrtime.bigint();
  if (!r.ok) throw new Error('password verify failed');
  hashTimes.push(Number(t1 - t0) / 1e6);
  verifyTimes.push(Number(t2 - t1) / 1e6);
}
const h = stats(hashTimes);
const v = stats(verifyTimes);
const { N, r, p } = DEFAULT_SCRYPT_PARAMS;

writeSection(
  'auth',
  'Auth: signature verification, key generation, password hashing',
  `
\`verifySignature\` per second, single thread, 1 s per figure (the HMAC dominates, so the rate
falls with script size; a mismatch does the same work as a match, so its rate is similar).

| script size | v1 verify/s | v2 verify/s | v1 mismatch/s |
|---|---:|---:|---:|
${rows.join('\n')}

v2 through \`verifyRequest\` with a \`MemoryNonceStore\` (1 KiB script, ${batch.toLocaleString('en-US')} distinct
pre-signed requests): ${fmt(guardedRate, 0)} requests/s.

\`generateProfileKey\` (CSPRNG, rejection sampling): ${fmt(keyRate, 0)} keys/s.

Admin password (scrypt N = 2^${Math.log2(N)}, r = ${r}, p = ${p}, ${(128 * N * r) / 2 ** 20} MiB; async, off the
event loop), ${samples} runs: \`hashPassword\` median ${fmt(h.median)} ms (p95 ${fmt(h.p95)}, min
${fmt(h.min)}); \`verifyPassword\` median ${fmt(v.median)} ms (p95 ${fmt(v.p95)}, min ${fmt(v.min)}).
`,
);
