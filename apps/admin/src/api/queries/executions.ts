import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../client';
import { type ExecutionFilters, type ExecutionStatus, TERMINAL_STATUSES } from '../types';
import { keys } from './keys';

export const executionKeys = keys.executions;

/** While any listed execution is still moving, refresh the list every 2 s. */
export const executionsQuery = (f: ExecutionFilters) =>
  queryOptions({
    queryKey: executionKeys.list(f),
    queryFn: () => api.executions.list(f),
    placeholderData: keepPreviousData,
    refetchInterval: (q) =>
      q.state.data?.executions.some((e) => !isTerminal(e.status)) ? 2_000 : false,
  });

/** Live status: poll every 1.5 s until the execution reaches a terminal status. */
export const executionQuery = (id: string) =>
  queryOptions({
    queryKey: executionKeys.detail(id),
    queryFn: () => api.executions.get(id),
    refetchInterval: (q) => {
      const s = q.state.data?.status;
      return s !== undefined && !isTerminal(s) ? 1_500 : false;
    },
  });

export function isTerminal(status: ExecutionStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export function useCancelExecution(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.executions.cancel(id),
    onSuccess: (detail) => {
      qc.setQueryData(executionKeys.detail(id), detail);
      return Promise.all(
        [keys.executions.lists, keys.stats.all].map((queryKey) =>
          qc.invalidateQueries({ queryKey }),
        ),
      );
    },
  });
}
