import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { keys } from './keys';

export const statsKeys = keys.stats;

export const statsQuery = () =>
  queryOptions({ queryKey: statsKeys.all, queryFn: api.stats, refetchInterval: 15_000 });
