import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { keys } from './keys';

/** `GET /health`: the server's version (shown in the header) and its sandbox and queue. */
export const healthQuery = () =>
  queryOptions({ queryKey: keys.health.all, queryFn: api.health, staleTime: 5 * 60_000 });
