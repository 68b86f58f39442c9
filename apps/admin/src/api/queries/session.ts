import { queryOptions } from '@tanstack/react-query';
import { api, isUnauthorized } from '../client';
import type { SessionInfo } from '../types';
import { keys } from './keys';

export const sessionKeys = keys.session;

/** `GET /api/admin/status`: is first-visit setup still open, and where is the code file. */
export const adminStatusQuery = () =>
  queryOptions({ queryKey: sessionKeys.status, queryFn: api.status, staleTime: 30_000 });

/**
 * `GET /api/admin/session`: the current session, or `null` when there is none (401). `null`
 * is also written here by the global 401 handler, which sends every page back to login.
 */
export const sessionQuery = () =>
  queryOptions({
    queryKey: sessionKeys.current,
    queryFn: async (): Promise<SessionInfo | null> => {
      try {
        return await api.session();
      } catch (err) {
        if (isUnauthorized(err)) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });
