import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../client';
import { type ExecutionFilters, type ExecutionStatus, TERMINAL_STATUSES } from '../types';
import { keys } from './keys';

export const executionKeys = keys.executions;

/** How often a list refreshes: faster while a listed run is still moving. */
export const LIST_REFRESH_MS = { moving: 2_000, idle: 5_000 } as const;

/**
 * A live list: new runs appear and statuses move without a reload. It refreshes every 2 s while
 * a listed run is still moving, else every 5 s, and only while the page is visible (TanStack
 * pauses interval refetches in a hidden tab).
 */
export const executionsQuery = (f: ExecutionFilters) =>
  queryOptions({
    queryKey: executionKeys.list(f),
    queryFn: () => api.executions.list(f),
    placeholderData: keepPreviousData,
    refetchInterval: (q) =>
      q.state.data?.executions.some((e) => !isTerminal(e.status))
        ? LIST_REFRESH_MS.moving
        : LIST_REFRESH_MS.idle,
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
