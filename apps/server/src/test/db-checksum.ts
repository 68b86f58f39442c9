import { createHash } from 'node:crypto';
import type { OpenedDatabase } from '@airlock/db';

/** A digest of every row of every table (audit log excluded on request): "nothing changed" checks. */
export function databaseChecksum(
  sqlite: OpenedDatabase['sqlite'],
  options: { exclude?: string[] } = {},
): string {
  const tables = (
    sqlite
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as {
      name: string;
    }[]
  )
    .map((t) => t.name)
    .filter((t) => !(options.exclude ?? []).includes(t));
  const hash = createHash('sha256');
  for (const t of tables) {
    hash.update(`table ${t}\n`);
    for (const row of sqlite.prepare(`SELECT * FROM "${t}" ORDER BY 1, 2`).all()) {
      hash.update(JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
      hash.update('\n');
    }
  }
  return hash.digest('hex');
}
