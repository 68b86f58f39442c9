/**
 * The one place that calls AES-256-GCM. Every other module (blobs, legacy blobs, exports) goes
 * through these two functions so the rules below hold everywhere:
 *
 * - the key is exactly 32 bytes, the nonce exactly 12 bytes, the tag exactly 16 bytes;
 * - `authTagLength: 16` is always passed, and a tag of any other length is refused before Node
 *   sees it (Node 20 otherwise accepts a truncated tag, which weakens forgery resistance to the
 *   tag length an attacker chooses);
 * - opening never throws for bad input: it returns `undefined`, and callers turn that into one
 *   generic "decryption failed" so nothing leaks which part was wrong.
 */
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

/** Output of {@link gcmSeal}: the three parts, for the caller to lay out in its own format. */
export interface GcmSealed {
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * Wraps raw key bytes in a `KeyObject` (whose inspection never prints the bytes), after checking
 * the length. Throws a `RangeError` for any length but 32: a wrong key length is a programming or
 * configuration error, never an expected runtime condition.
 */
export function toAesKey(key: Uint8Array | KeyObject, what = 'key'): KeyObject {
  if (isKeyObject(key)) {
    if (key.type !== 'secret' || key.symmetricKeySize !== KEY_BYTES) {
      throw new RangeError(`${what} must be a ${KEY_BYTES}-byte secret key`);
    }
    return key;
  }
  if (!(key instanceof Uint8Array)) {
    throw new TypeError(`${what} must be a Uint8Array of ${KEY_BYTES} bytes`);
  }
  if (key.length !== KEY_BYTES) {
    throw new RangeError(`${what} must be exactly ${KEY_BYTES} bytes, got ${key.length}`);
  }
  return createSecretKey(key);
}

function isKeyObject(value: unknown): value is KeyObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    'symmetricKeySize' in value &&
    'export' in value &&
    !(value instanceof Uint8Array)
  );
}

/**
 * Encrypts under a fresh random 12-byte nonce (or one the caller just drew from the CSPRNG,
 * when the nonce must sit inside the AAD). Never pass a fixed or reused nonce.
 */
export function gcmSeal(
  key: KeyObject,
  plaintext: Uint8Array,
  aad: Uint8Array,
  nonce: Buffer = randomBytes(NONCE_BYTES),
): GcmSealed {
  if (nonce.length !== NONCE_BYTES) throw new RangeError(`nonce must be ${NONCE_BYTES} bytes`);
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  if (aad.length > 0) cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, ciphertext, tag: cipher.getAuthTag() };
}

/**
 * Decrypts and authenticates. Returns the plaintext, or `undefined` for any failure: wrong
 * nonce or tag length, wrong key, or any altered byte of nonce, ciphertext, tag or `aad`.
 */
export function gcmOpen(
  key: KeyObject,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Buffer | undefined {
  // Checked here, not left to Node: a short tag must never reach setAuthTag.
  if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    if (aad.length > 0) decipher.setAAD(aad);
    const head = decipher.update(ciphertext);
    const tail = decipher.final(); // throws when authentication fails
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    return undefined;
  }
}
