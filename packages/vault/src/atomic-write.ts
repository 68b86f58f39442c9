/**
 * Atomic file replacement: after a crash (or `kill -9`) the path holds the old content or the
 * new content, never a mix or a half-written file.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export interface WriteFileAtomicOptions {
  /** Mode of the new file; defaults to 0600 (exports and keys are private). */
  mode?: number;
}

/**
 * Writes `data` to a temporary file in the same directory (so the rename cannot cross
 * filesystems), fsyncs it, renames it over `path`, then fsyncs the directory so the rename
 * itself survives a power loss. On failure the temporary file is removed and `path` is untouched.
 *
 * @example
 * await writeFileAtomic('/backups/airlock-2026-11-28.export', exportBytes);
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = options.mode ?? 0o600;
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.chmod(mode); // the umask may have removed bits; be exact
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some filesystems cannot fsync a directory; the file data is already durable.
  } finally {
    await handle?.close();
  }
}
