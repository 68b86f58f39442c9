import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useReducer } from 'react';
import { api } from './client';
import { executionKeys } from './queries/executions';
import type { ConnectionState } from './sse';
import type { ExecutionEvent, ExecutionStatus, LlmRequest } from './types';

/** What the live events of one execution have shown so far. */
export interface LiveExecution {
  /** Redacted output as received (without each stream's held-back tail until the run ends). */
  stdout: string;
  stderr: string;
  /** The latest `status` event (or `end`'s status); undefined before the first. */
  status: ExecutionStatus | undefined;
  /** The prompt the script is paused on, until the status moves on from `awaiting_llm`. */
  llmRequest: LlmRequest | null;
  /** `end` arrived: the stored output is being fetched. */
  ended: boolean;
  connection: ConnectionState | 'closed';
  /** The stream cannot be followed (e.g. 404); the detail query still polls. */
  error: Error | null;
}

export const initialLive: LiveExecution = {
  stdout: '',
  stderr: '',
  status: undefined,
  llmRequest: null,
  ended: false,
  connection: 'closed',
  error: null,
};

type Action =
  | { type: 'reset' }
  | { type: 'event'; event: ExecutionEvent }
  | { type: 'connection'; state: ConnectionState }
  | { type: 'error'; error: Error };

export function liveReducer(s: LiveExecution, a: Action): LiveExecution {
  switch (a.type) {
    case 'reset':
      return { ...initialLive, connection: 'connecting' };
    case 'connection':
      return s.ended ? s : { ...s, connection: a.state };
    case 'error':
      return { ...s, error: a.error, connection: 'closed' };
    case 'event': {
      const e = a.event;
      switch (e.event) {
        case 'stdout':
          return { ...s, stdout: s.stdout + e.data.text };
        case 'stderr':
          return { ...s, stderr: s.stderr + e.data.text };
        case 'status':
          return {
            ...s,
            status: e.data.status,
            llmRequest: e.data.status === 'awaiting_llm' ? s.llmRequest : null,
          };
        case 'llm_request':
          return { ...s, llmRequest: e.data };
        case 'end':
          return {
            ...s,
            status: e.data.status,
            llmRequest: null,
            ended: true,
            connection: 'closed',
          };
      }
    }
  }
}

/**
 * Follows an execution's live events while `enabled` (its status is not terminal): output as
 * it is produced, status, a pending LLM prompt. On `end` the detail query is refetched so the
 * page shows the stored output; disabling or unmounting aborts the request.
 */
export function useLiveExecution(id: string, enabled: boolean): LiveExecution {
  const qc = useQueryClient();
  const [state, dispatch] = useReducer(liveReducer, initialLive);
  useEffect(() => {
    if (!enabled) return;
    const ac = new AbortController();
    // Every subscription starts from the first event, so what was shown before is replaced.
    dispatch({ type: 'reset' });
    api.executions
      .events(id, {
        signal: ac.signal,
        onConnection: (s) => dispatch({ type: 'connection', state: s }),
        onEvent: (event) => {
          dispatch({ type: 'event', event });
          if (event.event === 'end') {
            void qc.invalidateQueries({ queryKey: executionKeys.detail(id) });
            void qc.invalidateQueries({ queryKey: executionKeys.lists });
          }
        },
      })
      .catch((err: unknown) => {
        if (ac.signal.aborted) return;
        dispatch({ type: 'error', error: err instanceof Error ? err : new Error(String(err)) });
      });
    return () => ac.abort();
  }, [id, enabled, qc]);
  return state;
}
