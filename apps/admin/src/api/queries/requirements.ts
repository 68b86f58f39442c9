import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { keys } from './keys';

export const requirementsKeys = keys.requirements;

export const requirementsQuery = () =>
  queryOptions({
    queryKey: requirementsKeys.all,
    queryFn: async () => (await api.requirements()).packages,
  });
