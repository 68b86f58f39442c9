import type { AirlockDb } from '@airlock/db';
import { DEFAULT_LIMITS } from '@airlock/sandbox';
import { AppError } from '../../errors.js';
import type { ExecutionEngine } from './engine.js';
import { getExecution } from './queries.js';

const MAX_RESPONSE_BYTES = DEFAULT_LIMITS.maxResponseBytes;

/**
 * `POST /executions/{id}/respond`: the agent's answer to a paused `llm.complete`. Only an
 * execution in `awaiting_llm` (in this process) accepts one.
 */
export function respondToExecution(
  deps: { db: AirlockDb; executions: ExecutionEngine },
  id: string,
  text: string,
) {
  const row = getExecution(deps.db, id);
  const outcome = row.status === 'awaiting_llm' ? deps.executions.respond(id, text) : 'not_waiting';
  if (outcome === 'too_large') {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `The response is larger than the ${MAX_RESPONSE_BYTES} bytes a script can receive (as JSON-escaped UTF-8); send a shorter answer`,
    );
  }
  if (outcome !== 'ok') {
    const current = getExecution(deps.db, id).status;
    throw new AppError('CONFLICT', `Execution is '${current}', not 'awaiting_llm'`);
  }
  return { execution_id: id, status: 'running' as const };
}
