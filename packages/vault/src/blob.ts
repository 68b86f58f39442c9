/**
 * The layout of a sealed value (ADR 0010). All integers are big-endian.
 *
 * ```
 * offset  size  field
 * 0       1     format byte, 0x01
 * 1       4     key version (uint32, 1..2^32-1)
 * 5       12    nonce (random per seal)
 * 17      n     ciphertext (same length as the plaintext)
 * 17+n    16    GCM tag
 * ```
 *
 * The GCM associated data is `blob[0..5] ‖ context`: the header (format and key version) plus
 * the caller's context string saying where the blob lives. So a blob copied to another row, or
 * with its version byte edited, fails to open.
 */
import { NONCE_BYTES, TAG_BYTES } from './gcm.js';

export const BLOB_FORMAT_V1 = 0x01;
/** Bytes of format byte plus key version: the part of the header that goes into the AAD. */
export const BLOB_PREFIX_BYTES = 5;
export const BLOB_HEADER_BYTES = BLOB_PREFIX_BYTES + NONCE_BYTES;
/** How many bytes a sealed blob adds to its plaintext: 1 + 4 + 12 + 16 = 33. */
export const BLOB_OVERHEAD = BLOB_HEADER_BYTES + TAG_BYTES;
export const MAX_KEY_VERSION = 0xffff_ffff;

export interface BlobParts {
  prefix: Buffer;
  keyVersion: number;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Splits a v1 blob into its parts without copying, or `undefined` if it is not one. */
export function parseBlob(blob: Uint8Array): BlobParts | undefined {
  if (blob.length < BLOB_OVERHEAD || blob[0] !== BLOB_FORMAT_V1) return undefined;
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
  const keyVersion = b.readUInt32BE(1);
  if (keyVersion === 0) return undefined;
  return {
    prefix: b.subarray(0, BLOB_PREFIX_BYTES),
    keyVersion,
    nonce: b.subarray(BLOB_PREFIX_BYTES, BLOB_HEADER_BYTES),
    ciphertext: b.subarray(BLOB_HEADER_BYTES, b.length - TAG_BYTES),
    tag: b.subarray(b.length - TAG_BYTES),
  };
}

export function blobPrefix(keyVersion: number): Buffer {
  const prefix = Buffer.alloc(BLOB_PREFIX_BYTES);
  prefix[0] = BLOB_FORMAT_V1;
  prefix.writeUInt32BE(keyVersion, 1);
  return prefix;
}

/**
 * The key version a blob says it was sealed under, or `undefined` if the bytes are not a v1
 * blob. Reading it proves nothing (it is not authenticated until the blob is opened); it is for
 * finding blobs to re-seal after a rotation and for startup diagnostics.
 *
 * @example
 * if (blobKeyVersion(row.value) !== keyring.currentVersion) queueForReseal(row.id);
 */
export function blobKeyVersion(blob: Uint8Array): number | undefined {
  return parseBlob(blob)?.keyVersion;
}

export function isValidKeyVersion(version: number): boolean {
  return Number.isInteger(version) && version >= 1 && version <= MAX_KEY_VERSION;
}
