import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vault-atomic-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates a new file with mode 0600 by default and leaves no temporary file', async () => {
    const path = join(dir, 'out.bin');
    await writeFileAtomic(path, Buffer.from('new content'));
    expect(readFileSync(path, 'utf8')).toBe('new content');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('replaces an existing file whole, with the requested mode', async () => {
    const path = join(dir, 'out.txt');
    writeFileSync(path, 'old content that is longer than the new one', { mode: 0o644 });
    await writeFileAtomic(path, 'new', { mode: 0o640 });
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['out.txt']);
  });

  it('on failure leaves the target untouched and removes its temporary file', async () => {
    // The target is a non-empty directory: the rename fails after the data was written.
    const path = join(dir, 'target');
    mkdirSync(path);
    writeFileSync(join(path, 'keep'), 'kept');
    await expect(writeFileAtomic(path, 'data')).rejects.toThrow();
    expect(readFileSync(join(path, 'keep'), 'utf8')).toBe('kept');
    expect(readdirSync(dir)).toEqual(['target']);
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'nope', 'out'), 'data')).rejects.toThrow(/ENOENT/);
  });
});
