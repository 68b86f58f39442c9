/**
 * The master key file: 32 random bytes in the data directory (ADR 0011).
 *
 * Rules, each with its own error code and message:
 * - the directory is 0700 (created so if missing, refused if group/other bits are set);
 * - the file is created only when the caller says no encrypted data exists, with an exclusive
 *   create (`wx`, mode 0600): an existing file is never overwritten, whatever its state;
 * - an existing file must be a regular file, mode without group/other bits, exactly 32 bytes;
 * - when encrypted data exists, a missing, unreadable or damaged key is refused and never
 *   replaced (a new key would orphan every stored secret).
 *
 * The key is read from this file only: never from an environment variable (readable through
 * `/proc/<pid>/environ`), and it is handed back as a `KeyObject`, whose inspection prints no bytes.
 */
import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { VaultStartupError } from './errors.js';
import { KEY_BYTES } from './gcm.js';

export interface LoadMasterKeyOptions {
  /** The key file, e.g. `<data dir>/master.key`. Its directory is the data directory. */
  path: string;
  /**
   * Whether the store already holds encrypted data (the server knows: e.g. its database has a
   * canary row). When true, a missing key is an error instead of a reason to create one.
   */
  dataExists: boolean;
}

export interface MasterKey {
  /** The 32-byte key, as a `KeyObject` so that logging it prints no key material. */
  key: KeyObject;
  /** True when this call generated the key (a new, empty store). */
  created: boolean;
  /** Absolute path of the key file. */
  path: string;
}

const PRIVATE_MASK = 0o077;

/**
 * Loads the master key, or creates it when the store is new. Throws {@link VaultStartupError}
 * (with a `code`, the `path` and the fix in its message) whenever Airlock must not start.
 *
 * @example
 * const dataExists = db.hasCanary();
 * const master = loadMasterKey({ path: join(dataDir, 'master.key'), dataExists });
 * const keyring = createKeyring([{ version: 1, key: master.key }]);
 * if (master.created) db.saveCanary(createCanary(keyring));
 */
export function loadMasterKey(options: LoadMasterKeyOptions): MasterKey {
  if (typeof options.dataExists !== 'boolean') {
    // Defaulting would mean guessing whether to create a key: the caller must say.
    throw new TypeError('loadMasterKey: dataExists must be true or false');
  }
  if (typeof options.path !== 'string' || options.path.length === 0) {
    throw new TypeError('loadMasterKey: path must be a non-empty string');
  }
  const path = resolve(options.path);
  ensurePrivateDirectory(dirname(path), options.dataExists, path);
  const existing = readExistingKey(path);
  if (existing !== undefined) return { key: existing, created: false, path };
  if (options.dataExists) {
    throw new VaultStartupError(
      'KEY_MISSING',
      path,
      `Master key file ${path} does not exist, but this data directory already holds encrypted ` +
        'data. Airlock will not generate a new key: every stored secret would become unreadable. ' +
        `Fix: restore the original key file from your backup to ${path} (chmod 600), or start ` +
        'Airlock with the data directory that belongs to this key.',
    );
  }
  const created = createKeyFile(path);
  if (created === undefined) {
    // The path exists after all: another process created the key between our read and our
    // exclusive create (use theirs), or it is something open() cannot follow.
    const raced = readExistingKey(path);
    if (raced !== undefined) return { key: raced, created: false, path };
    // Something is at the path that open() does not see: a symbolic link to a missing file.
    throw new VaultStartupError(
      'KEY_NOT_A_FILE',
      path,
      `Master key path ${path} exists but is not a readable file (for example a symbolic link ` +
        'to a missing file). Airlock will not replace it. Fix: restore the original master.key, ' +
        'or remove the link if this is a new, empty store.',
    );
  }
  return { key: created, created: true, path };
}

function ensurePrivateDirectory(dir: string, dataExists: boolean, keyPath: string): void {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(dir);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') {
      throw new VaultStartupError(
        'DATA_DIR_UNUSABLE',
        dir,
        `Data directory ${dir} cannot be inspected (${errnoCode(error)}). Fix: make it a ` +
          'directory owned by the user running Airlock, mode 700.',
        { cause: error },
      );
    }
    if (dataExists) {
      throw new VaultStartupError(
        'KEY_MISSING',
        keyPath,
        `Data directory ${dir} (which holds the master key ${keyPath}) does not exist, but ` +
          'encrypted data exists. Airlock will not generate a new key. Fix: restore the data ' +
          'directory with its master.key from your backup.',
      );
    }
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700); // the umask may have removed bits we need; never adds any
    } catch (mkdirError) {
      throw new VaultStartupError(
        'DATA_DIR_UNUSABLE',
        dir,
        `Data directory ${dir} could not be created (${errnoCode(mkdirError)}). Fix: create it ` +
          `yourself (mkdir -m 700 ${dir}) as the user running Airlock.`,
        { cause: mkdirError },
      );
    }
    return;
  }
  if (!stats.isDirectory()) {
    throw new VaultStartupError(
      'DATA_DIR_NOT_A_DIRECTORY',
      dir,
      `Data directory ${dir} exists but is not a directory. Fix: move it away, or choose ` +
        'another data directory.',
    );
  }
  if ((stats.mode & PRIVATE_MASK) !== 0) {
    throw new VaultStartupError(
      'DATA_DIR_PERMISSIONS',
      dir,
      `Data directory ${dir} has mode ${octal(stats.mode)}: it holds the master key, so group and ` +
        `others must have no access. Fix: chmod 700 ${dir}`,
    );
  }
}

/** Returns the key if the file exists and passes every check; `undefined` if it does not exist. */
function readExistingKey(path: string): KeyObject | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new VaultStartupError(
      'KEY_UNREADABLE',
      path,
      `Master key file ${path} exists but cannot be opened (${errnoCode(error)}). Airlock will ` +
        'not replace it. Fix: make it a regular file readable by the user running Airlock ' +
        `(chown that user, chmod 600 ${path}).`,
      { cause: error },
    );
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new VaultStartupError(
        'KEY_NOT_A_FILE',
        path,
        `Master key path ${path} is not a regular file. Airlock will not replace it. Fix: ` +
          'restore the original master.key file from your backup.',
      );
    }
    if ((stats.mode & PRIVATE_MASK) !== 0) {
      throw new VaultStartupError(
        'KEY_PERMISSIONS',
        path,
        `Master key file ${path} has mode ${octal(stats.mode)}: group or others may access it. ` +
          `Fix: chmod 600 ${path} (and if others could read it, treat the key as exposed).`,
      );
    }
    if (stats.size !== KEY_BYTES) {
      throw wrongLength(path, stats.size);
    }
    const bytes = Buffer.alloc(KEY_BYTES);
    let filled = 0;
    while (filled < KEY_BYTES) {
      const n = readSync(fd, bytes, filled, KEY_BYTES - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    if (filled !== KEY_BYTES) throw wrongLength(path, filled);
    const key = createSecretKey(bytes);
    bytes.fill(0);
    return key;
  } catch (error) {
    if (error instanceof VaultStartupError) throw error;
    throw new VaultStartupError(
      'KEY_UNREADABLE',
      path,
      `Master key file ${path} could not be read (${errnoCode(error)}). Airlock will not ` +
        'replace it. Fix: check the disk and the file, or restore it from your backup.',
      { cause: error },
    );
  } finally {
    closeSync(fd);
  }
}

/** Creates the key file exclusively; `undefined` if it already exists (never overwritten). */
function createKeyFile(path: string): KeyObject | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return undefined;
    throw new VaultStartupError(
      'KEY_CREATE_FAILED',
      path,
      `Master key file ${path} could not be created (${errnoCode(error)}). Fix: make its ` +
        'directory writable by the user running Airlock.',
      { cause: error },
    );
  }
  const bytes = randomBytes(KEY_BYTES);
  try {
    fchmodSync(fd, 0o600); // a umask can only remove bits, but be exact
    let written = 0;
    while (written < KEY_BYTES) written += writeSync(fd, bytes, written, KEY_BYTES - written);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    // We created this file a moment ago and it holds no usable key: removing it is safe.
    unlinkSync(path);
    throw new VaultStartupError(
      'KEY_CREATE_FAILED',
      path,
      `Master key file ${path} could not be written (${errnoCode(error)}). Fix: check free disk ` +
        'space and permissions of the data directory, then start again.',
      { cause: error },
    );
  }
  closeSync(fd);
  syncDirectory(dirname(path));
  const key = createSecretKey(bytes);
  bytes.fill(0);
  return key;
}

/** Makes the new directory entry durable; best effort where directories cannot be fsynced. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the file itself is already synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function wrongLength(path: string, size: number): VaultStartupError {
  return new VaultStartupError(
    'KEY_WRONG_LENGTH',
    path,
    `Master key file ${path} is ${size} bytes; a master key is exactly ${KEY_BYTES} bytes. It is ` +
      'damaged or not a key file, and Airlock will not replace it. Fix: restore the original ' +
      'key file from your backup.',
  );
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

export function errnoCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return String((error as { code: unknown }).code);
  }
  return 'unknown error';
}
