import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  admin,
  createTestDatabase,
  credentials,
  MIGRATIONS_FOLDER,
  openDatabase,
  profileCredentials,
  profiles,
} from './index.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'airlock-db-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('sets WAL, synchronous=FULL, busy_timeout and foreign keys on a file database', () => {
    const { sqlite, close } = openDatabase(join(tempDir(), 'nested', 'airlock.db'), {
      busyTimeoutMs: 1234,
    });
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(1234);
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    close();
  });

  it('creates a missing parent directory with mode 0700', () => {
    const dir = join(tempDir(), 'data');
    openDatabase(join(dir, 'airlock.db')).close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('applies migrations once and is idempotent on reopen', () => {
    const path = join(tempDir(), 'airlock.db');
    const first = openDatabase(path);
    const now = new Date();
    first.db
      .insert(credentials)
      .values({ id: 'c1', name: 'API_KEY', createdAt: now, updatedAt: now })
      .run();
    first.close();
    const second = openDatabase(path);
    expect(second.db.select().from(credentials).all()).toHaveLength(1);
    second.close();
  });

  it('allows exactly one admin row', () => {
    const { db, close } = createTestDatabase();
    const now = new Date();
    db.insert(admin)
      .values({ id: 1, passwordHash: 'h', createdAt: now, passwordChangedAt: now })
      .run();
    expect(() =>
      db
        .insert(admin)
        .values({ id: 1, passwordHash: 'h2', createdAt: now, passwordChangedAt: now })
        .run(),
    ).toThrow(/UNIQUE|PRIMARY/);
    expect(() =>
      db
        .insert(admin)
        .values({ id: 2, passwordHash: 'h2', createdAt: now, passwordChangedAt: now })
        .run(),
    ).toThrow(/CHECK/);
    close();
  });

  it('cascades profile links when a profile or credential is deleted', () => {
    const { db, close } = createTestDatabase();
    const now = new Date();
    db.insert(credentials)
      .values({ id: 'c1', name: 'A_KEY', createdAt: now, updatedAt: now })
      .run();
    db.insert(profiles).values({ id: 'p1', createdAt: now, updatedAt: now }).run();
    db.insert(profileCredentials).values({ profileId: 'p1', credentialId: 'c1' }).run();
    db.delete(credentials).where(eq(credentials.id, 'c1')).run();
    expect(db.select().from(profileCredentials).all()).toHaveLength(0);
    expect(() =>
      db.insert(profileCredentials).values({ profileId: 'p1', credentialId: 'missing' }).run(),
    ).toThrow(/FOREIGN KEY/);
    close();
  });

  it('gives each test database its own state', () => {
    const a = createTestDatabase();
    const b = createTestDatabase();
    const now = new Date();
    a.db.insert(profiles).values({ id: 'p1', createdAt: now, updatedAt: now }).run();
    expect(b.db.select().from(profiles).all()).toHaveLength(0);
    a.close();
    b.close();
  });
});

describe('committed migrations', () => {
  it('mark the credentials and profiles of an older database as made by the admin (0007)', () => {
    // The migrations up to 0006 only, as an instance from before 0007 has them.
    const older = join(tempDir(), 'drizzle');
    cpSync(MIGRATIONS_FOLDER, older, { recursive: true });
    const journalPath = join(older, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number }[] };
    journal.entries = journal.entries.filter((e) => e.idx <= 6);
    writeFileSync(journalPath, JSON.stringify(journal));
    const path = join(tempDir(), 'airlock.db');
    const sqlite = new Database(path);
    migrate(drizzle(sqlite), { migrationsFolder: older });
    sqlite.exec(
      "INSERT INTO credentials (id, name, created_at, updated_at) VALUES ('c1', 'OLD_KEY', 0, 0);" +
        "INSERT INTO profiles (id, created_at, updated_at) VALUES ('p1', 0, 0);",
    );
    expect(sqlite.prepare('PRAGMA table_info(profiles)').all()).not.toContainEqual(
      expect.objectContaining({ name: 'created_by' }),
    );
    sqlite.close();

    const { db, close } = openDatabase(path);
    expect(db.select().from(credentials).get()?.createdBy).toBe('admin');
    expect(db.select().from(profiles).get()?.createdBy).toBe('admin');
    close();
  });

  it('are up to date with the schema (drizzle-kit generate finds nothing new)', () => {
    const out = join(tempDir(), 'drizzle');
    cpSync(MIGRATIONS_FOLDER, out, { recursive: true });
    const before = readdirSync(out).sort();
    const cwd = join(MIGRATIONS_FOLDER, '..');
    // drizzle-kit prefixes `./` to --out, so it must be relative to cwd.
    const output = execFileSync(
      'npx',
      [
        'drizzle-kit',
        'generate',
        '--dialect',
        'sqlite',
        '--schema',
        './src/schema/index.ts',
        '--out',
        relative(cwd, out),
      ],
      { cwd, stdio: 'pipe', encoding: 'utf8' },
    );
    expect(output).toMatch(/No schema changes/);
    expect(readdirSync(out).sort()).toEqual(before);
  }, 60_000); // drizzle-kit starts a whole toolchain: slow on a loaded machine
});
