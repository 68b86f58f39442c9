import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema/index.js';

/** The typed drizzle handle used everywhere in the server (`$client`: its better-sqlite3 database). */
export type AirlockDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenDatabaseOptions {
  /** How long a write waits for a lock held by another connection before SQLITE_BUSY (ms). */
  busyTimeoutMs?: number;
}

export interface OpenedDatabase {
  db: AirlockDb;
  /** The underlying better-sqlite3 connection (pragmas, checkpoints, close). */
  sqlite: Database.Database;
  close(): void;
}

/** The committed SQL migrations, beside `src/` and `dist/` alike. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../drizzle', import.meta.url));

/**
 * Opens (creating if needed) the SQLite database at `path`, sets the pragmas Airlock relies on
 * and applies the committed migrations. `':memory:'` gives a private in-memory database.
 *
 * WAL with `synchronous=FULL`: a committed secret or key survives power loss. `foreign_keys=ON`
 * so profile ↔ credential links cascade. All transactions must be synchronous (an `async`
 * callback would commit at its first `await`).
 *
 * @example
 * const { db, close } = openDatabase('./data/airlock.db');
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): OpenedDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const sqlite = new Database(path);
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    sqlite.pragma('foreign_keys = ON');
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return { db, sqlite, close: () => sqlite.close() };
  } catch (err) {
    sqlite.close();
    throw err;
  }
}

/**
 * A fresh in-memory database with all migrations applied: one per test file (or test), so test
 * files never share state and can run in parallel.
 *
 * @example
 * const { db } = createTestDatabase();
 */
export function createTestDatabase(): OpenedDatabase {
  return openDatabase(':memory:');
}
