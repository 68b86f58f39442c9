import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../client';
import { keys } from './keys';

export const egressCaKeys = keys.egressCa;

/** The instance CA (public: a certificate, no key), rarely changes. */
export const egressCaQuery = () =>
  queryOptions({ queryKey: egressCaKeys.all, queryFn: api.egressCa.get });

/**
 * Replace the CA: runs started afterwards use the new one. Its certificate is public, so an
 * ordinary mutation; the answer is the new CA, stored as the query's data.
 */
export function useRotateEgressCa() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.egressCa.rotate,
    onSuccess: (ca) => {
      qc.setQueryData(egressCaKeys.all, ca);
      return qc.invalidateQueries({ queryKey: keys.audit.all });
    },
  });
}
