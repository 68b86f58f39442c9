import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { keys } from './keys';

export const auditKeys = keys.audit;

export const auditQuery = (limit: number, offset: number) =>
  queryOptions({
    queryKey: auditKeys.page(limit, offset),
    queryFn: () => api.audit(limit, offset),
    placeholderData: keepPreviousData,
  });
