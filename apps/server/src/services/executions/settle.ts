/**
 * Waiting for an execution to need the agent: finished, or paused in `llm.complete`. Used by
 * `POST /execute?wait=` (one round trip for the common case).
 */
import type { AirlockDb } from '@airlock/db';
import type { ExecutionEngine } from './engine.js';
import { type ExecutionRow, getExecution, TERMINAL } from './queries.js';

const settledRow = (row: ExecutionRow) => TERMINAL.has(row.status) || row.status === 'awaiting_llm';

/**
 * The execution once it is finished or awaiting an LLM answer, or undefined if it is not
 * within `ms` (or the client went away).
 *
 * @example
 * const row = await waitUntilSettled(deps, id, 30_000, request.signal);
 */
export async function waitUntilSettled(
  deps: { db: AirlockDb; executions: Pick<ExecutionEngine, 'waitForChange'> },
  id: string,
  ms: number,
  signal?: AbortSignal,
): Promise<ExecutionRow | undefined> {
  const deadline = performance.now() + ms;
  for (;;) {
    const row = getExecution(deps.db, id);
    if (settledRow(row)) return row;
    const left = deadline - performance.now();
    if (left <= 0 || signal?.aborted) return undefined;
    await deps.executions.waitForChange(id, left, signal);
  }
}
