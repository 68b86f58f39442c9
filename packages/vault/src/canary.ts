/**
 * The startup canary: a known plaintext sealed when the store is initialised and stored with the
 * data (the server keeps it in its database, next to the secrets it vouches for). At every start
 * it must open; if it does not, the master key does not belong to this data, and serving would
 * only produce "decryption failed" for every secret (or, worse, tempt someone to reset the key).
 */
import { blobKeyVersion } from './blob.js';
import { VaultStartupError } from './errors.js';
import type { Keyring } from './keyring.js';

/** Associated data of the canary blob: it is only ever valid in the canary slot. */
export const CANARY_AAD = 'airlock:v1:vault:canary';
const CANARY_PLAINTEXT = Buffer.from('airlock vault canary v1', 'utf8');

export type CanaryResult =
  | {
      ok: true;
      /** Version the canary was sealed under. */
      keyVersion: number;
      /** True when it was sealed under an older version: store `reseal`'s blob after rotating. */
      needsReseal: boolean;
    }
  | {
      ok: false;
      code: 'WRONG_KEY' | 'KEY_VERSION_NOT_LOADED' | 'NOT_A_CANARY';
      /** Says the likely cause and the fix; safe to log (no key material). */
      message: string;
    };

/**
 * Seals the canary under the keyring's current key. Call it once, when the store is created
 * (`loadMasterKey` returned `created: true`), and store the blob with the data.
 *
 * @example
 * if (master.created) db.insertCanary(createCanary(keyring));
 */
export function createCanary(keyring: Keyring): Buffer {
  return keyring.seal(CANARY_PLAINTEXT, CANARY_AAD);
}

/**
 * Checks the stored canary at startup. On failure the result names the likely cause; the server
 * should refuse to serve (or use {@link assertCanary}, which throws).
 *
 * @example
 * const c = checkCanary(keyring, db.getCanary());
 * if (!c.ok) { log.fatal(c.message); process.exit(78); }
 */
export function checkCanary(keyring: Keyring, blob: Uint8Array): CanaryResult {
  const version = blobKeyVersion(blob);
  if (version === undefined) {
    return {
      ok: false,
      code: 'NOT_A_CANARY',
      message:
        'The stored encryption canary is not a vault blob: the database is damaged or was edited. ' +
        'Fix: restore the data directory from a backup.',
    };
  }
  if (!keyring.has(version)) {
    return {
      ok: false,
      code: 'KEY_VERSION_NOT_LOADED',
      message:
        `The stored encryption canary was sealed under key version ${version}, which is not ` +
        `loaded (loaded: ${keyring.versions.join(', ')}). Fix: load the key file for version ` +
        `${version} as well.`,
    };
  }
  const opened = keyring.open(blob, CANARY_AAD);
  if (!opened.ok || !opened.plaintext.equals(CANARY_PLAINTEXT)) {
    return {
      ok: false,
      code: 'WRONG_KEY',
      message:
        `The master key (version ${version}) does not decrypt this data directory's canary: it is ` +
        'most likely the wrong master key for this data directory (a key file from another ' +
        'install, or a regenerated one). Airlock refuses to serve rather than fail on every ' +
        'secret. Fix: put back the master.key that was created with this data, or point Airlock ' +
        'at the data directory that belongs to this key.',
    };
  }
  return { ok: true, keyVersion: version, needsReseal: version !== keyring.currentVersion };
}

/**
 * {@link checkCanary} for startup code that prefers an exception: throws
 * `VaultStartupError('CANARY_FAILED')` naming `where` (e.g. the database path).
 *
 * @example
 * assertCanary(keyring, db.getCanary(), dbPath);
 */
export function assertCanary(keyring: Keyring, blob: Uint8Array, where: string): void {
  const result = checkCanary(keyring, blob);
  if (!result.ok) {
    throw new VaultStartupError('CANARY_FAILED', where, `${result.message} (data: ${where})`);
  }
}
