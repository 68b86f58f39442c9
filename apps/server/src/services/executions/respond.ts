import type { AppDeps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { getExecution } from './queries.js';

/**
 * `POST /executions/{id}/respond`: the agent's answer to a paused `llm.complete`. Only an
 * execution in `awaiting_llm` (in this process) accepts one.
 */
export function respondToExecution(
  deps: Pick<AppDeps, 'db' | 'executions'>,
  id: string,
  text: string,
) {
  const row = getExecution(deps.db, id);
  if (row.status !== 'awaiting_llm' || !deps.executions.respond(id, text)) {
    const current = getExecution(deps.db, id).status;
    throw new AppError('CONFLICT', `Execution is '${current}', not 'awaiting_llm'`);
  }
  return { execution_id: id, status: 'running' as const };
}
