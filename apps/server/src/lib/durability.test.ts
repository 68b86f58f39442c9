import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@airlock/db';
import { afterAll, describe, expect, it } from 'vitest';
import { withoutFsync } from './durability.js';

const dir = mkdtempSync(join(tmpdir(), 'airlock-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('withoutFsync', () => {
  it('relaxes only the write it wraps, and restores full durability after it, even on a throw', () => {
    const { db, sqlite, close } = openDatabase(join(dir, 'a.db'));
    const level = () => sqlite.pragma('synchronous', { simple: true });
    expect(level()).toBe(2); // FULL, as the server opens it
    expect(withoutFsync(db, () => level())).toBe(1); // NORMAL inside
    expect(level()).toBe(2);
    expect(() =>
      withoutFsync(db, () => {
        throw new Error('write failed');
      }),
    ).toThrow('write failed');
    expect(level()).toBe(2);
    // The write itself commits like any other.
    withoutFsync(db, () => sqlite.prepare("INSERT INTO meta (key, value) VALUES ('t', 'v')").run());
    expect(sqlite.prepare("SELECT value FROM meta WHERE key = 't'").pluck().get()).toBe('v');
    close();
  });
});
