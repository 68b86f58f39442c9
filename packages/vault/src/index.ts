/**
 * @airlock/vault: the master key file, AES-256-GCM sealed blobs with a rotating keyring, the
 * earlier implementation's legacy blobs (read-only), the startup canary, and the passphrase
 * export format. Uses only `node:crypto` and `node:fs`.
 */
export { type WriteFileAtomicOptions, writeFileAtomic } from './atomic-write.js';
export { BLOB_FORMAT_V1, BLOB_OVERHEAD, blobKeyVersion, MAX_KEY_VERSION } from './blob.js';
export {
  assertCanary,
  CANARY_AAD,
  type CanaryResult,
  checkCanary,
  createCanary,
} from './canary.js';
export { VaultStartupError, type VaultStartupErrorCode } from './errors.js';
export {
  checkScryptParams,
  DEFAULT_MAX_EXPORT_BYTES,
  DEFAULT_SCRYPT_PARAMS,
  type DecryptExportOptions,
  decryptExport,
  type EncryptExportOptions,
  EXPORT_FORMAT_VERSION,
  EXPORT_HEADER_BYTES,
  type ExportError,
  type ExportErrorCode,
  type ExportHeader,
  type ExportHeaderResult,
  type ExportOpenResult,
  encryptExport,
  parseExportHeader,
  SCRYPT_LIMITS,
  type ScryptParams,
} from './export.js';
export { readExportFile, writeExportFile } from './export-file.js';
export { KEY_BYTES, NONCE_BYTES, TAG_BYTES } from './gcm.js';
export {
  type AssociatedData,
  createKeyring,
  DECRYPTION_FAILED,
  fieldContext,
  Keyring,
  type KeyringEntry,
  type KeyringOptions,
  type OpenResult,
  type ResealResult,
} from './keyring.js';
export { LEGACY_MIN_BYTES, migrateLegacyBlob, openLegacy } from './legacy.js';
export { type LoadMasterKeyOptions, loadMasterKey, type MasterKey } from './master-key.js';
