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

/**
 * A drizzle query (without parameters) run by better-sqlite3 itself, each row an array in the
 * query's column order: drizzle's per-row mapping was most of what was left of a read such as
 * `GET /credentials` once its statement was prepared.
 *
 * @example
 * const q = preparedRows(db, 'credentials.names', (d) => d.select({ n: credentials.name }).from(credentials));
 * const names = q.all().map(([n]) => n as string);
 */
export function preparedRows(
  db: AirlockDb,
  key: string,
  build: (db: AirlockDb) => { toSQL(): { sql: string; params: unknown[] } },
): { all(): unknown[][] } {
  return prepared(db, `rows:${key}`, (d) => {
    const query = build(d).toSQL();
    if (query.params.length > 0) throw new Error(`preparedRows(${key}): the query has parameters`);
    return d.$client.prepare(query.sql).raw(true) as { all(): unknown[][] };
  });
}
