import { type ExecutionStatus, executions } from '@airlock/db';
import { and, count, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { DbLike } from '../../lib/db.js';
import type { ExecutionRow } from './queries.js';

export interface ExecutionFilter {
  profileId?: string | undefined;
  keyId?: string | undefined;
  status?: ExecutionStatus | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  limit: number;
  offset: number;
}

/** Executions newest first, filtered, with the total before paging. */
export function listExecutions(
  db: DbLike,
  f: ExecutionFilter,
): { rows: ExecutionRow[]; total: number } {
  const where: SQL[] = [];
  if (f.profileId) where.push(eq(executions.profileId, f.profileId));
  if (f.keyId) where.push(eq(executions.keyId, f.keyId));
  if (f.status) where.push(eq(executions.status, f.status));
  if (f.since) where.push(gte(executions.createdAt, f.since));
  if (f.until) where.push(lte(executions.createdAt, f.until));
  const cond = where.length > 0 ? and(...where) : undefined;
  const rows = db
    .select()
    .from(executions)
    .where(cond)
    .orderBy(desc(executions.createdAt), desc(executions.id))
    .limit(f.limit)
    .offset(f.offset)
    .all();
  const total = db.select({ n: count() }).from(executions).where(cond).get()?.n ?? 0;
  return { rows, total };
}
