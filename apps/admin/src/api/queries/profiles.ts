import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../client';
import { useSecretAction } from '../secret-action';
import type { AdminProfile, AdminProfileWithKey, UpdateProfileInput } from '../types';
import { keys } from './keys';

export const profileKeys = keys.profiles;

export const profilesQuery = () =>
  queryOptions({
    queryKey: profileKeys.list,
    queryFn: async () => (await api.profiles.list()).profiles,
  });

export const profileQuery = (id: string) =>
  queryOptions({ queryKey: profileKeys.detail(id), queryFn: () => api.profiles.get(id) });

type QueryClientLike = ReturnType<typeof useQueryClient>;

/**
 * After a profile changes: store the fresh profile (never the key that came with it), and
 * refetch what depends on profiles (list, credentials' `used_by`, stats, audit).
 */
function settle(qc: QueryClientLike, p: AdminProfile | AdminProfileWithKey) {
  const { key: _key, ...profile } = p as AdminProfileWithKey;
  qc.setQueryData(profileKeys.detail(p.id), profile as AdminProfile);
  return Promise.all(
    [keys.profiles.list, keys.credentials.all, keys.stats.all, keys.audit.all].map((queryKey) =>
      qc.invalidateQueries({ queryKey }),
    ),
  );
}

export function useCreateProfile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.profiles.create,
    onSuccess: (p) => settle(qc, p),
  });
}

export function useUpdateProfile(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateProfileInput) => api.profiles.update(id, input),
    onSuccess: (p) => settle(qc, p),
  });
}

export function useAttachCredentials(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (names: string[]) => api.profiles.attach(id, names),
    onSuccess: (p) => settle(qc, p),
  });
}

export function useDetachCredentials(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (names: string[]) => api.profiles.detach(id, names),
    onSuccess: (p) => settle(qc, p),
  });
}

export function useRevokeProfile(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.profiles.revoke(id),
    onSuccess: (p) => settle(qc, p),
  });
}

export function useDeleteProfile(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.profiles.remove(id),
    onSuccess: () => {
      qc.removeQueries({ queryKey: profileKeys.detail(id) });
      return Promise.all(
        [keys.profiles.list, keys.credentials.all, keys.stats.all, keys.audit.all].map((queryKey) =>
          qc.invalidateQueries({ queryKey }),
        ),
      );
    },
  });
}

/**
 * Lock (issue the key) or regenerate it, for the credential names the admin was shown (the
 * server refuses if the profile changed meanwhile). The answer carries `ark_…:…`, so this goes
 * through `useSecretAction`: the key lives only in the component that shows it once.
 */
export function useIssueKey(id: string, kind: 'lock' | 'regenerate') {
  const qc = useQueryClient();
  return useSecretAction(
    async (shown: string[]) => {
      const p =
        kind === 'lock'
          ? await api.profiles.lock(id, shown)
          : await api.profiles.regenerateKey(id, shown);
      await settle(qc, p);
      return p.key;
    },
    { invalidate: [] },
  );
}
