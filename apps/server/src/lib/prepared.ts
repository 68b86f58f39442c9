import type { AirlockDb } from '@airlock/db';

/**
 * Prepared statements, built once per database handle and reused: building a drizzle query and
 * asking SQLite to prepare it costs more than running it on the hot read paths (profiling
 * `GET /credentials` showed statement preparation as the largest single cost).
 *
 * @example
 * const q = prepared(db, 'credentials.list', (d) => d.select().from(credentials).prepare());
 * q.all();
 */
const cache = new WeakMap<object, Map<string, unknown>>();

export function prepared<T>(db: AirlockDb, key: string, build: (db: AirlockDb) => T): T {
  let byKey = cache.get(db);
  if (!byKey) {
    byKey = new Map();
    cache.set(db, byKey);
  }
  let stmt = byKey.get(key) as T | undefined;
  if (stmt === undefined) {
    stmt = build(db);
    byKey.set(key, stmt);
  }
  return stmt;
}
