import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isApiError, isUnauthorized } from './client';
import { sessionKeys } from './queries/session';

/**
 * The session is gone (a 401 from any admin request): mark it so, and every page behind the
 * login gate redirects to the login page, which says the session expired.
 */
export function endSession(qc: QueryClient): void {
  qc.setQueryData(sessionKeys.current, null);
}

/** Client errors (4xx) will not get better by retrying; network errors and 5xx get two more tries. */
function shouldRetry(failureCount: number, err: unknown): boolean {
  if (isApiError(err) && err.status >= 400 && err.status < 500) return false;
  return failureCount < 2;
}

export function createQueryClient(): QueryClient {
  const qc: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (err, q) => {
        if (isUnauthorized(err) && q.queryKey[0] !== 'session') endSession(qc);
      },
    }),
    mutationCache: new MutationCache({
      onError: (err) => {
        if (isUnauthorized(err)) endSession(qc);
      },
    }),
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 5_000 },
      mutations: { retry: false },
    },
  });
  return qc;
}
