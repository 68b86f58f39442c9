/**
 * A keyring: every key version that can still open blobs, and the one current version that
 * seals new ones. Rotation is: add a new version, make it current, re-seal old blobs at leisure
 * ({@link Keyring.reseal}), then drop the old version once nothing uses it.
 */
import type { KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { blobPrefix, isValidKeyVersion, MAX_KEY_VERSION, parseBlob } from './blob.js';
import { gcmOpen, gcmSeal, toAesKey } from './gcm.js';

/** The one error every failed open returns, whatever was wrong. */
export const DECRYPTION_FAILED = 'decryption failed';

/** Result of opening a blob: the plaintext, or the generic failure (never an exception). */
export type OpenResult =
  | { ok: true; plaintext: Buffer }
  | { ok: false; error: typeof DECRYPTION_FAILED };

/** Result of {@link Keyring.reseal}. `resealed` is false when the blob was already current. */
export type ResealResult =
  | { ok: true; blob: Buffer; resealed: boolean }
  | { ok: false; error: typeof DECRYPTION_FAILED };

/**
 * Where a blob lives, bound into it as associated data, e.g.
 * `airlock:v1:credentials:value:<row id>`. A string is encoded as UTF-8. Must not be empty: an
 * unbound blob could be moved anywhere.
 */
export type AssociatedData = string | Uint8Array;

export interface KeyringEntry {
  /** Integer 1 .. 2^32-1, stored in every blob sealed under this key. */
  version: number;
  /** Exactly 32 bytes, or a 32-byte secret `KeyObject` (as `loadMasterKey` returns). */
  key: Uint8Array | KeyObject;
}

export interface KeyringOptions {
  /** Version used for sealing; defaults to the highest version given. */
  current?: number;
}

const FAILED = { ok: false, error: DECRYPTION_FAILED } as const;

export class Keyring {
  readonly #keys: ReadonlyMap<number, KeyObject>;
  /** The version new blobs are sealed under. */
  readonly currentVersion: number;

  /** Prefer {@link createKeyring}; the constructor does the same checks. */
  constructor(entries: readonly KeyringEntry[], options: KeyringOptions = {}) {
    if (entries.length === 0) throw new RangeError('a keyring needs at least one key');
    const keys = new Map<number, KeyObject>();
    for (const { version, key } of entries) {
      if (!isValidKeyVersion(version)) {
        throw new RangeError(
          `key version must be an integer 1..${MAX_KEY_VERSION}, got ${version}`,
        );
      }
      if (keys.has(version)) throw new RangeError(`key version ${version} is given twice`);
      keys.set(version, toAesKey(key, `key version ${version}`));
    }
    const current = options.current ?? Math.max(...keys.keys());
    if (!keys.has(current)) {
      throw new RangeError(`current key version ${current} is not in the keyring`);
    }
    this.#keys = keys;
    this.currentVersion = current;
  }

  /** Versions this keyring can open, ascending. */
  get versions(): number[] {
    return [...this.#keys.keys()].sort((a, b) => a - b);
  }

  /** Whether blobs sealed under `version` can be opened. */
  has(version: number): boolean {
    return this.#keys.has(version);
  }

  /**
   * Seals `plaintext` under the current key with a fresh random nonce, bound to `aad`.
   *
   * @example
   * const blob = keyring.seal('hunter2', `airlock:v1:credentials:value:${rowId}`);
   */
  seal(plaintext: Uint8Array | string, aad: AssociatedData): Buffer {
    const aadBytes = toAad(aad);
    const prefix = blobPrefix(this.currentVersion);
    const key = this.#keys.get(this.currentVersion) as KeyObject;
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    if (!(data instanceof Uint8Array)) throw new TypeError('plaintext must be a string or bytes');
    const { nonce, ciphertext, tag } = gcmSeal(key, data, Buffer.concat([prefix, aadBytes]));
    return Buffer.concat([prefix, nonce, ciphertext, tag]);
  }

  /**
   * Opens a blob sealed by any version in this keyring with the same `aad`. Any failure (unknown
   * format or version, wrong key, altered byte, other `aad`, truncation) gives the same result.
   *
   * @example
   * const r = keyring.open(row.value, `airlock:v1:credentials:value:${row.id}`);
   * if (!r.ok) throw new ServiceError('UNAVAILABLE', r.error);
   * const value = r.plaintext.toString('utf8');
   */
  open(blob: Uint8Array, aad: AssociatedData): OpenResult {
    const aadBytes = toAad(aad);
    if (!(blob instanceof Uint8Array)) throw new TypeError('blob must be bytes');
    const parts = parseBlob(blob);
    if (parts === undefined) return FAILED;
    const key = this.#keys.get(parts.keyVersion);
    if (key === undefined) return FAILED;
    const aadFull = Buffer.concat([parts.prefix, aadBytes]);
    const plaintext = gcmOpen(key, parts.nonce, parts.ciphertext, parts.tag, aadFull);
    return plaintext === undefined ? FAILED : { ok: true, plaintext };
  }

  /**
   * Whether a blob was sealed under a version other than the current one (from its unauthenticated
   * header, so only a hint for picking rows to re-seal).
   *
   * @example
   * const stale = rows.filter((r) => keyring.needsReseal(r.value));
   */
  needsReseal(blob: Uint8Array): boolean {
    const parts = parseBlob(blob);
    return parts !== undefined && parts.keyVersion !== this.currentVersion;
  }

  /**
   * Opens a blob and, if it was sealed under an older version, seals it again under the current
   * one (new nonce, same `aad`). A blob already current is returned unchanged.
   *
   * @example
   * const r = keyring.reseal(row.value, aad);
   * if (r.ok && r.resealed) db.update(row.id, r.blob);
   */
  reseal(blob: Uint8Array, aad: AssociatedData): ResealResult {
    const opened = this.open(blob, aad);
    if (!opened.ok) return FAILED;
    if (parseBlob(blob)?.keyVersion === this.currentVersion) {
      opened.plaintext.fill(0);
      return { ok: true, blob: Buffer.from(blob), resealed: false };
    }
    const sealed = this.seal(opened.plaintext, aad);
    opened.plaintext.fill(0);
    return { ok: true, blob: sealed, resealed: true };
  }

  /** Never prints key material, whatever logger or `console.log` sees the keyring. */
  [inspect.custom](): string {
    return `Keyring { versions: [${this.versions.join(', ')}], current: ${this.currentVersion} }`;
  }

  toJSON(): { versions: number[]; currentVersion: number } {
    return { versions: this.versions, currentVersion: this.currentVersion };
  }
}

/**
 * Builds a keyring. Every key must be exactly 32 bytes (a `RangeError` otherwise); the current
 * version defaults to the highest one.
 *
 * @example
 * const keyring = createKeyring([{ version: 1, key: master.key }]);
 * // after a rotation:
 * const rotated = createKeyring([{ version: 1, key: oldKey }, { version: 2, key: newKey }]);
 */
export function createKeyring(entries: readonly KeyringEntry[], options?: KeyringOptions): Keyring {
  return new Keyring(entries, options);
}

/**
 * The conventional associated data for a value stored in a database column:
 * `airlock:v1:<table>:<column>:<rowId>`. Table and column are restricted to `[A-Za-z0-9_]` so
 * the string cannot be ambiguous; the row id comes last and may be anything non-empty.
 *
 * @example
 * fieldContext('credentials', 'value', row.id) // 'airlock:v1:credentials:value:42'
 */
export function fieldContext(table: string, column: string, rowId: string | number): string {
  const name = /^[A-Za-z0-9_]+$/;
  if (!name.test(table))
    throw new RangeError(`table name ${JSON.stringify(table)} is not [A-Za-z0-9_]+`);
  if (!name.test(column)) {
    throw new RangeError(`column name ${JSON.stringify(column)} is not [A-Za-z0-9_]+`);
  }
  const id = String(rowId);
  if (id.length === 0) throw new RangeError('row id must not be empty');
  return `airlock:v1:${table}:${column}:${id}`;
}

function toAad(aad: AssociatedData): Buffer {
  const bytes =
    typeof aad === 'string'
      ? Buffer.from(aad, 'utf8')
      : aad instanceof Uint8Array
        ? Buffer.from(aad.buffer, aad.byteOffset, aad.length)
        : undefined;
  if (bytes === undefined) throw new TypeError('associated data must be a string or bytes');
  if (bytes.length === 0) {
    throw new RangeError('associated data must not be empty: it binds a blob to where it lives');
  }
  return bytes;
}
