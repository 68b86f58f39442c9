/**
 * Export files on disk: written atomically with mode 0600, read with the size checked from
 * `fstat` before a single byte is read (a 10 GiB file is refused at once, not after buffering).
 */
import { open } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';
import {
  checkMaxBytes,
  type DecryptExportOptions,
  decryptExport,
  type EncryptExportOptions,
  type ExportOpenResult,
  encryptExport,
} from './export.js';
import { errnoCode } from './master-key.js';

/**
 * Encrypts `plaintext` under `passphrase` and writes it atomically to `path` (mode 0600).
 *
 * @example
 * await writeExportFile('/backups/airlock.export', JSON.stringify(state), passphrase);
 */
export async function writeExportFile(
  path: string,
  plaintext: Uint8Array | string,
  passphrase: string,
  options: EncryptExportOptions = {},
): Promise<void> {
  const file = await encryptExport(plaintext, passphrase, options);
  await writeFileAtomic(path, file, { mode: 0o600 });
}

/**
 * Reads and decrypts an export file. The size is checked before reading; then as
 * {@link decryptExport}. A file that cannot be opened or read gives code `UNREADABLE`.
 *
 * @example
 * const r = await readExportFile('/backups/airlock.export', passphrase);
 * if (!r.ok) { console.error(r.message); process.exit(1); }
 */
export async function readExportFile(
  path: string,
  passphrase: string,
  options: DecryptExportOptions = {},
): Promise<ExportOpenResult> {
  const maxBytes = checkMaxBytes(options.maxBytes);
  let data: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) {
        return {
          ok: false,
          code: 'TOO_LARGE',
          message: `The file is ${size} bytes; the limit is ${maxBytes} bytes.`,
        };
      }
      data = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    return {
      ok: false,
      code: 'UNREADABLE',
      message: `Could not read the export file ${path} (${errnoCode(error)}).`,
    };
  }
  return decryptExport(data, passphrase, options);
}
