import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import type { AuditQuery } from '../types';
import { keys } from './keys';

export const auditKeys = keys.audit;

/** One page of the filtered audit log (the server filters; the previous page stays while the next loads). */
export const auditQuery = (q: AuditQuery) =>
  queryOptions({
    queryKey: auditKeys.page(q),
    queryFn: () => api.audit.list(q),
    placeholderData: keepPreviousData,
  });
