import { randomBytes } from 'node:crypto';
import { type AirlockDb, type ExecutionStatus, executions, llmExchanges } from '@airlock/db';
import { asc, eq, sql } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { DbLike } from '../../lib/db.js';
import { prepared } from '../../lib/prepared.js';

export type ExecutionRow = typeof executions.$inferSelect;
export type LlmExchangeRow = typeof llmExchanges.$inferSelect;

export const TERMINAL: ReadonlySet<ExecutionStatus> = new Set(['completed', 'error', 'timeout']);

/** `exec_` + 32 lowercase hex (128 random bits): polling by id needs no other secret. */
export function newExecutionId(): string {
  return `exec_${randomBytes(16).toString('hex')}`;
}

export const EXECUTION_ID = /^exec_[0-9a-f]{16,64}$/;

export function findExecution(db: DbLike, id: string): ExecutionRow | undefined {
  if (!EXECUTION_ID.test(id)) return undefined;
  // Prepared once per handle: a run reads its row several times (start, state changes, the
  // waiting answer), and building the query each time cost more than running it.
  return prepared(db as AirlockDb, 'executions.find', (d) =>
    d
      .select()
      .from(executions)
      .where(eq(executions.id, sql.placeholder('id')))
      .prepare(),
  ).get({ id });
}

export function getExecution(db: DbLike, id: string): ExecutionRow {
  const row = findExecution(db, id);
  if (!row) throw new AppError('NOT_FOUND', `Execution '${id}' not found`);
  return row;
}

export function exchangesOf(db: DbLike, id: string): LlmExchangeRow[] {
  return db
    .select()
    .from(llmExchanges)
    .where(eq(llmExchanges.executionId, id))
    .orderBy(asc(llmExchanges.seq))
    .all();
}

/** The open `llm.complete` request of an execution awaiting one. */
export function pendingExchange(db: DbLike, id: string): LlmExchangeRow | undefined {
  return exchangesOf(db, id).find((e) => e.response === null);
}
