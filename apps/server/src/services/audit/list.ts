import { type actorTypes, auditLog } from '@airlock/db';
import { and, count, desc, eq, gte, lt, lte, type SQL, sql } from 'drizzle-orm';
import type { DbLike } from '../../lib/db.js';

export type AuditRow = typeof auditLog.$inferSelect;

/** The kinds of object an audit record can be about (`target_type`). */
export const auditTargetTypes = ['credential', 'profile', 'execution', 'egress_ca'] as const;
export type AuditTargetType = (typeof auditTargetTypes)[number];

/** What the audit log can be narrowed to; every field is optional. */
export interface AuditFilter {
  /** One action (`profile.lock`), or every action of a group (`profile.*`). */
  action?: string | undefined;
  actorType?: (typeof actorTypes)[number] | undefined;
  targetType?: AuditTargetType | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

/** `profile.lock` or `profile.*`: the form of the `action` filter. */
export const ACTION_FILTER = /^[a-z][a-z_]*\.(?:\*|[a-z][a-z_]*)$/;

function where(f: AuditFilter): SQL | undefined {
  const w: SQL[] = [];
  if (f.action?.endsWith('.*')) {
    // A prefix compared as text: LIKE would read the `_` of `egress_ca.` as a wildcard.
    const prefix = f.action.slice(0, -1);
    w.push(sql`substr(${auditLog.action}, 1, ${prefix.length}) = ${prefix}`);
  } else if (f.action) w.push(eq(auditLog.action, f.action));
  if (f.actorType) w.push(eq(auditLog.actorType, f.actorType));
  if (f.targetType) w.push(eq(auditLog.targetType, f.targetType));
  if (f.since) w.push(gte(auditLog.at, f.since));
  if (f.until) w.push(lte(auditLog.at, f.until));
  return w.length > 0 ? and(...w) : undefined;
}

/** Audit records newest first, filtered, with the total before paging. */
export function listAudit(
  db: DbLike,
  f: AuditFilter,
  page: { limit: number; offset: number },
): { rows: AuditRow[]; total: number } {
  const cond = where(f);
  const rows = db
    .select()
    .from(auditLog)
    .where(cond)
    .orderBy(desc(auditLog.id))
    .limit(page.limit)
    .offset(page.offset)
    .all();
  const total = db.select({ n: count() }).from(auditLog).where(cond).get()?.n ?? 0;
  return { rows, total };
}

/**
 * Every record the filter matches, newest first, in batches read one at a time (by id, so that
 * records written meanwhile neither repeat nor shift the batches): the CSV export's source.
 */
export function* auditBatches(db: DbLike, f: AuditFilter, size = 1000): Generator<AuditRow[]> {
  const cond = where(f);
  let before: number | undefined;
  for (;;) {
    const rows = db
      .select()
      .from(auditLog)
      .where(before === undefined ? cond : and(cond, lt(auditLog.id, before)))
      .orderBy(desc(auditLog.id))
      .limit(size)
      .all();
    if (rows.length === 0) return;
    yield rows;
    before = rows.at(-1)?.id;
  }
}
