/**
 * AES-256-GCM computed from its specification (NIST SP 800-38D, sections 6.3-7.1) using only
 * the AES block function (ECB on one block) and BigInt arithmetic in GF(2^128). It shares no
 * code with Node's or OpenSSL's GCM mode, so agreeing with it shows a fixture's bytes really are
 * `GCM(key, nonce, plaintext)` and not merely whatever our own code produces. Tests only: slow.
 */
import { createCipheriv } from 'node:crypto';

const R = 0xe1n << 120n;
const MASK128 = (1n << 128n) - 1n;

function aesBlock(key: Uint8Array, block: Uint8Array): Buffer {
  const c = createCipheriv('aes-256-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

function toBig(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
}

function toBytes(x: bigint): Buffer {
  return Buffer.from(x.toString(16).padStart(32, '0'), 'hex');
}

/** Multiplication in GF(2^128) with GCM's bit order (SP 800-38D, algorithm 1). */
function gfMul(x: bigint, y: bigint): bigint {
  let z = 0n;
  let v = y;
  for (let i = 127n; i >= 0n; i--) {
    if ((x >> i) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z & MASK128;
}

function ghash(h: bigint, data: Buffer): bigint {
  let y = 0n;
  for (let i = 0; i < data.length; i += 16) y = gfMul(y ^ toBig(data.subarray(i, i + 16)), h);
  return y;
}

function pad16(b: Uint8Array): Buffer {
  const rem = b.length % 16;
  return rem === 0 ? Buffer.from(b) : Buffer.concat([b, Buffer.alloc(16 - rem)]);
}

function inc32(block: Buffer): Buffer {
  const out = Buffer.from(block);
  out.writeUInt32BE((out.readUInt32BE(12) + 1) >>> 0, 12);
  return out;
}

/** Returns `ciphertext ‖ tag(16)` for a 96-bit nonce. */
export function referenceGcmEncrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array = new Uint8Array(0),
): Buffer {
  if (key.length !== 32 || nonce.length !== 12) throw new RangeError('AES-256, 96-bit nonce only');
  const h = toBig(aesBlock(key, Buffer.alloc(16)));
  const j0 = Buffer.concat([nonce, Buffer.from([0, 0, 0, 1])]);
  const ciphertext = Buffer.alloc(plaintext.length);
  let counter: Buffer = j0;
  for (let i = 0; i < plaintext.length; i += 16) {
    counter = inc32(counter);
    const keystream = aesBlock(key, counter);
    for (let j = i; j < Math.min(i + 16, plaintext.length); j++) {
      ciphertext[j] = (plaintext[j] as number) ^ (keystream[j - i] as number);
    }
  }
  const lengths = Buffer.alloc(16);
  lengths.writeBigUInt64BE(BigInt(aad.length * 8), 0);
  lengths.writeBigUInt64BE(BigInt(ciphertext.length * 8), 8);
  const s = ghash(h, Buffer.concat([pad16(aad), pad16(ciphertext), lengths]));
  const tag = toBytes(toBig(aesBlock(key, j0)) ^ s);
  return Buffer.concat([ciphertext, tag]);
}
