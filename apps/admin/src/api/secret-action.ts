import { type QueryKey, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { isUnauthorized } from './client';
import { endSession } from './query-client';

export interface SecretActionState<A extends unknown[], R> {
  /** Runs the action; resolves to its result, or `undefined` when it failed (see `error`). */
  run: (...args: A) => Promise<R | undefined>;
  pending: boolean;
  error: unknown;
  reset: () => void;
}

/**
 * A mutation for requests that carry or return a secret (credential values, passwords,
 * passphrases, profile keys). TanStack's `useMutation` keeps `variables` and `data` in its
 * mutation cache; this keeps nothing: arguments and results pass through and are gone, only
 * `pending` and `error` are state. On success it invalidates `invalidate`; a 401 ends the
 * session like every other admin request (unless `authRequired` is false, e.g. login).
 */
export function useSecretAction<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  options: { invalidate?: readonly QueryKey[]; authRequired?: boolean } = {},
): SecretActionState<A, R> {
  const qc = useQueryClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const { invalidate = [], authRequired = true } = options;
  const invalidateRef = useRef(invalidate);
  invalidateRef.current = invalidate;

  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setPending(true);
      setError(null);
      try {
        const result = await fnRef.current(...args);
        await Promise.all(
          invalidateRef.current.map((queryKey) => qc.invalidateQueries({ queryKey })),
        );
        if (mounted.current) setPending(false);
        return result;
      } catch (err) {
        if (authRequired && isUnauthorized(err)) endSession(qc);
        if (mounted.current) {
          setPending(false);
          setError(err);
        }
        return undefined;
      }
    },
    [qc, authRequired],
  );
  const reset = useCallback(() => setError(null), []);
  return { run, pending, error, reset };
}
