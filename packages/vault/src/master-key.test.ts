import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultStartupError, type VaultStartupErrorCode } from './errors.js';
import { createKeyring } from './keyring.js';
import { loadMasterKey } from './master-key.js';

let root: string;
let dataDir: string;
let keyPath: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'vault-mk-'));
  dataDir = join(root, 'data');
  keyPath = join(dataDir, 'master.key');
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

function startupError(fn: () => unknown): VaultStartupError {
  try {
    fn();
  } catch (error) {
    if (error instanceof VaultStartupError) return error;
    throw error;
  }
  throw new Error('expected a VaultStartupError');
}

function expectRefused(fn: () => unknown, code: VaultStartupErrorCode, path: string): string {
  const error = startupError(fn);
  expect(error.code).toBe(code);
  expect(error.path).toBe(path);
  expect(error.message).toContain(path);
  expect(error.message).toMatch(/Fix:/);
  return error.message;
}

describe('loadMasterKey: a new store', () => {
  it('creates the directory 0700 and a 32-byte key file 0600', () => {
    const master = loadMasterKey({ path: keyPath, dataExists: false });
    expect(master.created).toBe(true);
    expect(master.path).toBe(keyPath);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(keyPath)).toBe(0o600);
    const bytes = readFileSync(keyPath);
    expect(bytes.length).toBe(32);
    expect(master.key.export().equals(bytes)).toBe(true);
  });

  it('creates 0600/0700 whatever the umask', () => {
    const previous = process.umask(0o000);
    try {
      loadMasterKey({ path: keyPath, dataExists: false });
    } finally {
      process.umask(previous);
    }
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(keyPath)).toBe(0o600);
  });

  it('creates a different key for each new store', () => {
    const a = loadMasterKey({ path: keyPath, dataExists: false });
    const other = join(root, 'other', 'master.key');
    const b = loadMasterKey({ path: other, dataExists: false });
    expect(a.key.export().equals(b.key.export())).toBe(false);
  });

  it('loads the same key on the next start, with or without data', () => {
    const first = loadMasterKey({ path: keyPath, dataExists: false });
    const second = loadMasterKey({ path: keyPath, dataExists: true });
    const third = loadMasterKey({ path: keyPath, dataExists: false });
    expect(second.created).toBe(false);
    expect(third.created).toBe(false);
    expect(second.key.export().equals(first.key.export())).toBe(true);
    expect(third.key.export().equals(first.key.export())).toBe(true);
  });

  it('uses an existing 0700 directory as it is', () => {
    mkdirSync(dataDir, { mode: 0o700 });
    expect(loadMasterKey({ path: keyPath, dataExists: false }).created).toBe(true);
  });

  it('gives a key usable by a keyring, and never shows the key bytes when logged', () => {
    const master = loadMasterKey({ path: keyPath, dataExists: false });
    const keyring = createKeyring([{ version: 1, key: master.key }]);
    const aad = 'airlock:v1:test:value:1';
    const opened = keyring.open(keyring.seal('fake', aad), aad);
    expect(opened.ok).toBe(true);
    const raw = readFileSync(keyPath);
    const shown = `${inspect(master, { depth: 10, showHidden: true })}${JSON.stringify(master)}`;
    expect(shown).not.toContain(raw.toString('hex'));
    expect(shown).not.toContain(raw.toString('base64'));
  });
});

describe('loadMasterKey: never overwrites an existing file', () => {
  it('keeps a pre-existing valid key file byte for byte', () => {
    mkdirSync(dataDir, { mode: 0o700 });
    const existing = randomBytes(32);
    writeFileSync(keyPath, existing, { mode: 0o600 });
    const master = loadMasterKey({ path: keyPath, dataExists: false });
    expect(master.created).toBe(false);
    expect(master.key.export().equals(existing)).toBe(true);
    expect(readFileSync(keyPath).equals(existing)).toBe(true);
  });

  it.each([
    [0, 'empty'],
    [16, 'short'],
    [33, 'long'],
  ])('refuses a %i-byte (%s) file without replacing it, even for an empty store', (size) => {
    mkdirSync(dataDir, { mode: 0o700 });
    const content = Buffer.alloc(size, 7);
    writeFileSync(keyPath, content, { mode: 0o600 });
    for (const dataExists of [false, true]) {
      const message = expectRefused(
        () => loadMasterKey({ path: keyPath, dataExists }),
        'KEY_WRONG_LENGTH',
        keyPath,
      );
      expect(message).toContain(`${size} bytes`);
    }
    expect(readFileSync(keyPath).equals(content)).toBe(true);
  });

  it('refuses a key path that is a directory', () => {
    mkdirSync(keyPath, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
    expectRefused(
      () => loadMasterKey({ path: keyPath, dataExists: false }),
      'KEY_NOT_A_FILE',
      keyPath,
    );
  });

  it('refuses a key file that exists but cannot be opened (a symlink loop), without replacing it', () => {
    mkdirSync(dataDir, { mode: 0o700 });
    symlinkSync('master.key', keyPath); // points at itself: open() fails with ELOOP
    for (const dataExists of [false, true]) {
      const message = expectRefused(
        () => loadMasterKey({ path: keyPath, dataExists }),
        'KEY_UNREADABLE',
        keyPath,
      );
      expect(message).toContain('ELOOP');
      expect(message).toMatch(/will not replace it/);
    }
    expect(readlinkSync(keyPath)).toBe('master.key');
  });

  it('does not follow a dangling symlink into creating a file elsewhere', () => {
    mkdirSync(dataDir, { mode: 0o700 });
    const target = join(root, 'elsewhere.key');
    symlinkSync(target, keyPath);
    // open('wx') fails with EEXIST on a dangling symlink, and reading it finds nothing
    expectRefused(
      () => loadMasterKey({ path: keyPath, dataExists: false }),
      'KEY_NOT_A_FILE',
      keyPath,
    );
    expect(() => statSync(target)).toThrow();
  });
});

describe('loadMasterKey: permissions', () => {
  it.each([0o644, 0o640, 0o604, 0o660, 0o606, 0o666])('refuses a key file with mode %o', (m) => {
    loadMasterKey({ path: keyPath, dataExists: false });
    chmodSync(keyPath, m);
    const message = expectRefused(
      () => loadMasterKey({ path: keyPath, dataExists: true }),
      'KEY_PERMISSIONS',
      keyPath,
    );
    expect(message).toContain(`chmod 600 ${keyPath}`);
    expect(message).toContain(`0${m.toString(8)}`);
  });

  it.each([0o755, 0o750, 0o705, 0o777, 0o710])('refuses a data directory with mode %o', (m) => {
    mkdirSync(dataDir);
    chmodSync(dataDir, m);
    const message = expectRefused(
      () => loadMasterKey({ path: keyPath, dataExists: false }),
      'DATA_DIR_PERMISSIONS',
      dataDir,
    );
    expect(message).toContain(`chmod 700 ${dataDir}`);
    // refused before anything was created
    expect(() => statSync(keyPath)).toThrow();
  });

  it('refuses loose directory permissions for an existing store too', () => {
    loadMasterKey({ path: keyPath, dataExists: false });
    chmodSync(dataDir, 0o755);
    expectRefused(
      () => loadMasterKey({ path: keyPath, dataExists: true }),
      'DATA_DIR_PERMISSIONS',
      dataDir,
    );
  });

  it('refuses a data directory path that is a file', () => {
    writeFileSync(dataDir, 'not a directory');
    expectRefused(
      () => loadMasterKey({ path: keyPath, dataExists: false }),
      'DATA_DIR_NOT_A_DIRECTORY',
      dataDir,
    );
  });
});

describe('loadMasterKey: arguments', () => {
  it('requires the caller to say whether data exists, and a path', () => {
    const noFlag = { path: keyPath } as unknown as Parameters<typeof loadMasterKey>[0];
    expect(() => loadMasterKey(noFlag)).toThrow(/dataExists/);
    expect(() => loadMasterKey({ path: '', dataExists: false })).toThrow(/path/);
    expect(() => statSync(dataDir)).toThrow(); // nothing was created
  });
});

describe('loadMasterKey: encrypted data exists', () => {
  it('refuses a missing key file and does not create one', () => {
    mkdirSync(dataDir, { mode: 0o700 });
    const message = expectRefused(
      () => loadMasterKey({ path: keyPath, dataExists: true }),
      'KEY_MISSING',
      keyPath,
    );
    expect(message).toMatch(/will not generate a new key/);
    expect(message).toMatch(/restore/);
    expect(() => statSync(keyPath)).toThrow();
  });

  it('refuses a missing data directory and does not create it', () => {
    expectRefused(() => loadMasterKey({ path: keyPath, dataExists: true }), 'KEY_MISSING', keyPath);
    expect(() => statSync(dataDir)).toThrow();
  });

  it('refuses a damaged (truncated) key file', () => {
    loadMasterKey({ path: keyPath, dataExists: false });
    writeFileSync(keyPath, readFileSync(keyPath).subarray(0, 31));
    expectRefused(
      () => loadMasterKey({ path: keyPath, dataExists: true }),
      'KEY_WRONG_LENGTH',
      keyPath,
    );
  });
});
