/**
 * Startup misconfiguration is the one thing this package throws for: the server cannot run, and
 * the operator needs to know which file is wrong and how to fix it.
 */

/** Why the vault refused to start. Stable: the server may map them to exit codes or docs. */
export type VaultStartupErrorCode =
  /** The data directory exists but is not a directory. */
  | 'DATA_DIR_NOT_A_DIRECTORY'
  /** The data directory is accessible to group or others. */
  | 'DATA_DIR_PERMISSIONS'
  /** The data directory could not be created or inspected. */
  | 'DATA_DIR_UNUSABLE'
  /** No key file, while encrypted data exists. */
  | 'KEY_MISSING'
  /** The key file exists but could not be opened or read. */
  | 'KEY_UNREADABLE'
  /** The key path is a directory, socket, device... */
  | 'KEY_NOT_A_FILE'
  /** The key file is accessible to group or others. */
  | 'KEY_PERMISSIONS'
  /** The key file is not exactly 32 bytes (empty, truncated, or not a key). */
  | 'KEY_WRONG_LENGTH'
  /** A new key could not be written. */
  | 'KEY_CREATE_FAILED'
  /** The startup canary did not decrypt (see `checkCanary`). */
  | 'CANARY_FAILED';

/**
 * Thrown by `loadMasterKey` (and `assertCanary`) when Airlock must not start. The message names
 * the path and the fix; it never contains key material.
 *
 * @example
 * try { loadMasterKey({ path, dataExists }) }
 * catch (e) { if (e instanceof VaultStartupError) { log.fatal(e.message); process.exit(78); } throw e; }
 */
export class VaultStartupError extends Error {
  override readonly name = 'VaultStartupError';
  readonly code: VaultStartupErrorCode;
  /** The file or directory at fault. */
  readonly path: string;

  constructor(code: VaultStartupErrorCode, path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}
