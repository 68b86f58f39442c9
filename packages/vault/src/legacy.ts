/**
 * Blobs written by the earlier Python implementation: `nonce(12) ‖ ciphertext ‖ tag(16)` under
 * the raw 32-byte master key, with no associated data and no version. Read-only: Airlock never
 * writes this layout, it only opens it so an operator can migrate old data into v1 blobs.
 *
 * The layout carries no format byte, so it cannot be told apart from a v1 blob by looking at it
 * (its first byte is a random nonce byte). Migration is therefore explicit: data that came from
 * the old database is opened with {@link openLegacy}, never guessed at.
 */
import type { KeyObject } from 'node:crypto';
import { gcmOpen, NONCE_BYTES, TAG_BYTES, toAesKey } from './gcm.js';
import {
  type AssociatedData,
  DECRYPTION_FAILED,
  type Keyring,
  type OpenResult,
} from './keyring.js';

/** Smallest legacy blob: nonce plus tag (an empty plaintext). */
export const LEGACY_MIN_BYTES = NONCE_BYTES + TAG_BYTES;

const EMPTY = Buffer.alloc(0);

/**
 * Opens a blob in the earlier implementation's layout. Throws `RangeError` if the key is not 32
 * bytes; any problem with the blob itself gives the generic failure result.
 *
 * @example
 * const r = openLegacy(oldMasterKeyBytes, row.value);
 * if (r.ok) console.log('value length', r.plaintext.length);
 */
export function openLegacy(key: Uint8Array | KeyObject, blob: Uint8Array): OpenResult {
  const aesKey = toAesKey(key, 'legacy key');
  if (!(blob instanceof Uint8Array)) throw new TypeError('blob must be bytes');
  if (blob.length < LEGACY_MIN_BYTES) return { ok: false, error: DECRYPTION_FAILED };
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
  const plaintext = gcmOpen(
    aesKey,
    b.subarray(0, NONCE_BYTES),
    b.subarray(NONCE_BYTES, b.length - TAG_BYTES),
    b.subarray(b.length - TAG_BYTES),
    EMPTY,
  );
  return plaintext === undefined
    ? { ok: false, error: DECRYPTION_FAILED }
    : { ok: true, plaintext };
}

/**
 * Migrates one legacy blob: opens it with the old key and seals the plaintext under the
 * keyring's current key, bound to `aad` (the blob's new place).
 *
 * @example
 * const r = migrateLegacyBlob(keyring, oldKey, oldRow.value, fieldContext('credentials', 'value', id));
 * if (r.ok) db.insert({ id, value: r.blob });
 */
export function migrateLegacyBlob(
  keyring: Keyring,
  legacyKey: Uint8Array | KeyObject,
  blob: Uint8Array,
  aad: AssociatedData,
): { ok: true; blob: Buffer } | { ok: false; error: typeof DECRYPTION_FAILED } {
  const opened = openLegacy(legacyKey, blob);
  if (!opened.ok) return opened;
  const sealed = keyring.seal(opened.plaintext, aad);
  opened.plaintext.fill(0);
  return { ok: true, blob: sealed };
}
