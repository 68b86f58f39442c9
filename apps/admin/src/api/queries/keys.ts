import type { AuditQuery, ExecutionFilters } from '../types';

/**
 * Every query key, in one place, so that invalidations across resources (a credential's value
 * changes what a profile shows) never import one resource module from another.
 */
export const keys = {
  session: {
    status: ['session', 'status'] as const,
    current: ['session', 'current'] as const,
  },
  credentials: { all: ['credentials'] as const },
  profiles: {
    all: ['profiles'] as const,
    list: ['profiles', 'list'] as const,
    detail: (id: string) => ['profiles', 'detail', id] as const,
  },
  executions: {
    all: ['executions'] as const,
    lists: ['executions', 'list'] as const,
    list: (f: ExecutionFilters) => ['executions', 'list', f] as const,
    detail: (id: string) => ['executions', 'detail', id] as const,
  },
  stats: { all: ['stats'] as const },
  audit: {
    all: ['audit'] as const,
    page: (q: AuditQuery) => ['audit', q] as const,
  },
  requirements: { all: ['requirements'] as const },
  egressCa: { all: ['egress-ca'] as const },
  health: { all: ['health'] as const },
};
