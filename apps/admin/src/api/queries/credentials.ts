import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../client';
import { useSecretAction } from '../secret-action';
import type { CreateCredentialInput, CredentialDelivery } from '../types';
import { keys } from './keys';

export const credentialKeys = keys.credentials;

export const credentialsQuery = () =>
  queryOptions({
    queryKey: credentialKeys.all,
    queryFn: async () => (await api.credentials.list()).credentials,
  });

/** What changes when a credential's value or existence changes: profiles show value status. */
const affected = [keys.credentials.all, keys.profiles.all, keys.stats.all, keys.audit.all];

/** Create a credential, possibly with a value: kept out of TanStack's mutation cache. */
export function useCreateCredential() {
  return useSecretAction((input: CreateCredentialInput) => api.credentials.create(input), {
    invalidate: affected,
  });
}

/** Set or rotate a value (a secret: kept out of TanStack's mutation cache). */
export function useSetCredentialValue() {
  return useSecretAction((name: string, value: string) => api.credentials.update(name, { value }), {
    invalidate: affected,
  });
}

export function useClearCredentialValue() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.credentials.update(name, { value: null }),
    onSuccess: () => invalidateAll(qc),
  });
}

export function useUpdateCredentialDescription() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { name: string; description: string }) =>
      api.credentials.update(v.name, { description: v.description }),
    onSuccess: () => invalidateAll(qc),
  });
}

/** Switch between inject and broker, or change the hosts (no value travels: a plain mutation). */
export function useUpdateCredentialDelivery() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { name: string; delivery: CredentialDelivery }) =>
      api.credentials.update(v.name, { delivery: v.delivery }),
    onSuccess: () => invalidateAll(qc),
  });
}

export function useDeleteCredential() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.credentials.remove(name),
    onSuccess: () => invalidateAll(qc),
  });
}

function invalidateAll(qc: ReturnType<typeof useQueryClient>) {
  return Promise.all(affected.map((queryKey) => qc.invalidateQueries({ queryKey })));
}
