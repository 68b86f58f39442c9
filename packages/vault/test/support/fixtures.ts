import { readFileSync } from 'node:fs';

export interface LegacyVector {
  name: string;
  key: Buffer;
  nonce: Buffer;
  plaintext: Buffer;
  blob: Buffer;
}

interface LegacyVectorFile {
  producedBy: string;
  vectors: {
    name: string;
    keyHex: string;
    nonceHex: string;
    plaintextHex: string;
    blobHex: string;
  }[];
}

/** The committed known-answer vectors (see test/fixtures/legacy-vectors.json, producedBy). */
export function legacyVectors(): LegacyVector[] {
  const file = JSON.parse(
    readFileSync(new URL('../fixtures/legacy-vectors.json', import.meta.url), 'utf8'),
  ) as LegacyVectorFile;
  return file.vectors.map((v) => ({
    name: v.name,
    key: Buffer.from(v.keyHex, 'hex'),
    nonce: Buffer.from(v.nonceHex, 'hex'),
    plaintext: Buffer.from(v.plaintextHex, 'hex'),
    blob: Buffer.from(v.blobHex, 'hex'),
  }));
}

/** A fresh random 32-byte test key (never a real secret). */
export { randomBytes as testBytes } from 'node:crypto';
