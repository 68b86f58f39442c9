import { randomBytes } from 'node:crypto';
import { type ExecutionStatus, executions, llmExchanges } from '@airlock/db';
import { asc, eq } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { DbLike } from '../../lib/db.js';

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
  return db.select().from(executions).where(eq(executions.id, id)).get();
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
