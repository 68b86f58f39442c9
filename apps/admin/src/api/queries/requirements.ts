import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../client';
import type { InstallRequirementsInput } from '../types';
import { keys } from './keys';

export const requirementsKeys = keys.requirements;

export const requirementsQuery = () =>
  queryOptions({
    queryKey: requirementsKeys.all,
    queryFn: () => api.requirements(),
  });

/** Installs packages (for every profile, or one); the list is refreshed either way. */
export function useInstallRequirements() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: InstallRequirementsInput) => api.installRequirements(input),
    onSettled: () => qc.invalidateQueries({ queryKey: requirementsKeys.all }),
  });
}
