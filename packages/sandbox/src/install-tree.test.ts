import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectTree, listInstalled } from './install.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tree(): string {
  const d = mkdtempSync(join(tmpdir(), 'airlock-tree-'));
  dirs.push(d);
  mkdirSync(join(d, 'pkg'));
  writeFileSync(join(d, 'pkg', '__init__.py'), 'x = 1\n');
  symlinkSync('__init__.py', join(d, 'pkg', 'alias.py'));
  return d;
}

describe('inspectTree: what pip left is hostile input', () => {
  it('accepts directories, files and links that stay inside', () => {
    expect(inspectTree(tree())).toBeUndefined();
  });

  it('refuses FIFOs, sockets-like specials, links out, and too much', () => {
    const fifo = tree();
    execFileSync('/usr/bin/mkfifo', [join(fifo, 'pkg', 'pipe')]);
    expect(inspectTree(fifo)).toBe('a FIFO at pkg/pipe');

    const out = tree();
    symlinkSync('/etc/shadow', join(out, 'pkg', 'shadow'));
    expect(inspectTree(out)).toBe('a symlink out of the packages directory at pkg/shadow');
    const up = tree();
    symlinkSync('../../outside', join(up, 'pkg', 'up'));
    expect(inspectTree(up)).toBe('a symlink out of the packages directory at pkg/up');

    // A sparse file: 0 bytes on disk, 8 GiB apparent; counted whole.
    const big = tree();
    writeFileSync(join(big, 'pkg', 'huge'), '');
    truncateSync(join(big, 'pkg', 'huge'), 8 * 1024 ** 3);
    expect(inspectTree(big)).toBe(`more than ${4 * 1024 ** 3} bytes installed`);
    expect(inspectTree(tree(), { maxBytes: 1 << 20, maxEntries: 2 })).toBe('more than 2 files');
  });

  it('listInstalled never blocks on a FIFO or follows a link where METADATA should be', () => {
    const d = tree();
    mkdirSync(join(d, 'a-1.0.dist-info'));
    execFileSync('/usr/bin/mkfifo', [join(d, 'a-1.0.dist-info', 'METADATA')]);
    mkdirSync(join(d, 'b-1.0.dist-info'));
    symlinkSync('/dev/zero', join(d, 'b-1.0.dist-info', 'METADATA'));
    mkdirSync(join(d, 'c-2.0.dist-info'));
    writeFileSync(
      join(d, 'c-2.0.dist-info', 'METADATA'),
      'Metadata-Version: 2.1\nName: c\nVersion: 2.0\n',
    );
    expect(listInstalled(d)).toEqual([{ name: 'c', version: '2.0' }]);
  });
});
