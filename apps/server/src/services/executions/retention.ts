import type { AirlockDb } from '@airlock/db';
import { executions, llmExchanges } from '@airlock/db';
import { and, asc, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Clock } from '../../lib/time.js';
import type { Logger } from '../../logger.js';
import { TERMINAL } from './queries.js';

export interface RetentionDeps {
  db: AirlockDb;
  clock: Clock;
  logger: Logger;
  config: {
    /** Most bytes of history kept (scripts, outputs, results, errors, LLM exchanges). */
    historyMaxBytes: number;
    /** History of executions that ended longer ago than this is dropped; 0 keeps it. */
    historyRetentionDays: number;
  };
}

/** What the admin stats report. */
export interface HistoryUsage {
  bytes: number;
  limit_bytes: number;
  retention_days: number;
  pruned_executions: number;
  /** Size of the database file (freed pages are reused; the file does not shrink by itself). */
  database_bytes: number;
}

/** After a size prune, history is brought down to this share of the limit (not pruned per run). */
const LOW_WATER = 0.9;
/** Executions pruned per statement. */
const BATCH = 200;
const TERMINAL_STATUSES = [...TERMINAL];

/**
 * UTF-8 bytes of history an execution keeps once it ends: its stored script and LLM exchanges
 * (already in the database) plus `outcomeBytes` (the outputs, result and error being written in
 * the same UPDATE, where the row's columns still hold their old values).
 */
export function historyBytesSql(outcomeBytes: number) {
  return sql<number>`length(CAST(${executions.script} AS BLOB)) + ${outcomeBytes} + coalesce((
    SELECT sum(length(CAST(${llmExchanges.prompt} AS BLOB)) + length(CAST(${llmExchanges.model} AS BLOB))
      + coalesce(length(CAST(${llmExchanges.response} AS BLOB)), 0))
    FROM ${llmExchanges} WHERE ${llmExchanges.executionId} = ${executions.id}), 0)`;
}

/**
 * Keeps execution history within a size and an age: the oldest finished executions lose their
 * script, outputs, result and LLM exchanges first (their error shrinks to its last line); the
 * execution rows, their status, times and redaction counts, and the audit log are kept. Runs
 * after every finished execution (size) and hourly (age), so the database stops growing and the
 * server keeps answering when the limit is reached.
 */
export class HistoryRetention {
  readonly #deps: RetentionDeps;
  #bytes: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: RetentionDeps) {
    this.#deps = deps;
    this.#bytes = 0;
    this.recount();
  }

  /** Reads the total from the database (at start, and after rows were closed in bulk). */
  recount(): void {
    this.#bytes =
      this.#deps.db
        .select({ n: sql<number>`total(${executions.historyBytes})` })
        .from(executions)
        .where(isNull(executions.prunedAt))
        .get()?.n ?? 0;
  }

  /** Prunes by age now and every hour after (the timer does not hold the process open). */
  start(): void {
    this.sweep();
    this.#timer = setInterval(() => this.sweep(), 3_600_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Counts the history an execution just stored, pruning the oldest when over the limit. */
  added(bytes: number): void {
    this.#bytes += bytes;
    if (this.#bytes > this.#deps.config.historyMaxBytes) {
      this.#pruneOldest(this.#deps.config.historyMaxBytes * LOW_WATER);
    }
  }

  /** Drops history older than the retention period, then enforces the size limit. */
  sweep(): void {
    const days = this.#deps.config.historyRetentionDays;
    if (days > 0) {
      const before = new Date(this.#deps.clock().getTime() - days * 86_400_000);
      for (;;) {
        const ids = this.#oldest(lt(executions.completedAt, before));
        if (ids.length === 0) break;
        this.#prune(ids.map((r) => r.id));
        this.#bytes -= ids.reduce((n, r) => n + r.bytes, 0);
      }
    }
    if (this.#bytes > this.#deps.config.historyMaxBytes) {
      this.#pruneOldest(this.#deps.config.historyMaxBytes * LOW_WATER);
    }
  }

  usage(): HistoryUsage {
    const pruned =
      this.#deps.db
        .select({ n: sql<number>`count(*)` })
        .from(executions)
        .where(sql`${executions.prunedAt} IS NOT NULL`)
        .get()?.n ?? 0;
    const file = this.#deps.db.get<{ n: number }>(
      sql`SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()`,
    );
    return {
      bytes: this.#bytes,
      limit_bytes: this.#deps.config.historyMaxBytes,
      retention_days: this.#deps.config.historyRetentionDays,
      pruned_executions: pruned,
      database_bytes: file?.n ?? 0,
    };
  }

  #pruneOldest(target: number): void {
    let pruned = 0;
    while (this.#bytes > target) {
      const rows = this.#oldest(undefined);
      if (rows.length === 0) break;
      const take: string[] = [];
      for (const r of rows) {
        take.push(r.id);
        this.#bytes -= r.bytes;
        if (this.#bytes <= target) break;
      }
      this.#prune(take);
      pruned += take.length;
    }
    if (pruned > 0) {
      this.#deps.logger.info('history limit reached: pruned the oldest executions', {
        pruned,
        bytes: this.#bytes,
      });
    }
  }

  /** The oldest unpruned finished executions (with a further condition), a batch at a time. */
  #oldest(extra: ReturnType<typeof lt> | undefined) {
    return this.#deps.db
      .select({ id: executions.id, bytes: executions.historyBytes })
      .from(executions)
      .where(
        and(
          isNull(executions.prunedAt),
          inArray(executions.status, TERMINAL_STATUSES),
          ...(extra ? [extra] : []),
        ),
      )
      .orderBy(asc(executions.createdAt))
      .limit(BATCH)
      .all();
  }

  #prune(ids: string[]): void {
    const now = this.#deps.clock();
    this.#deps.db.transaction((tx) => {
      tx.delete(llmExchanges).where(inArray(llmExchanges.executionId, ids)).run();
      tx.update(executions)
        .set({
          script: '',
          stdout: null,
          stderr: null,
          resultJson: null,
          // The reason stays readable in the list: the error's last 200 characters.
          error: sql`CASE WHEN ${executions.error} IS NULL THEN NULL ELSE substr(rtrim(${executions.error}, char(10)), -200) END`,
          prunedAt: now,
        })
        .where(inArray(executions.id, ids))
        .run();
    });
  }
}
