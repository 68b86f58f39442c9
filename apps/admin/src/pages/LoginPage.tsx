import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { api } from '../api/client';
import { adminStatusQuery, sessionQuery } from '../api/queries/session';
import { useSecretAction } from '../api/secret-action';
import { ErrorMessage } from '../components/ErrorMessage';
import { Loading } from '../components/Loading';
import { LostPassword } from '../components/LostPassword';
import { PageTitle } from '../components/PageTitle';
import type { LoginState } from '../components/RequireAdmin';
import { UI } from '../paths';

const REASONS: Record<NonNullable<LoginState['reason']>, string> = {
  expired: 'Your session expired. Log in again to continue where you were.',
  'logged-out': 'You are logged out.',
  'password-changed': 'Password changed. Log in with the new password.',
};

export function LoginPage() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state ?? {}) as LoginState;
  const status = useQuery(adminStatusQuery());
  const session = useQuery(sessionQuery());
  const login = useSecretAction((password: string) => api.login(password), {
    authRequired: false,
  });
  // Only same-app paths: never bounce to another origin from a crafted state.
  const target = state.from?.startsWith('/ui/') ? state.from : UI.overview;

  if (status.isPending || session.isPending) return <Loading what="Airlock" />;
  if (status.data?.setup_required) return <Navigate to={UI.setup} replace />;
  if (session.data) return <Navigate to={target} replace />;

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const password = String(new FormData(form).get('password') ?? '');
    const r = await login.run(password);
    if (!r) return;
    form.reset();
    // Pages that failed with 401 while logged out start over with the new session.
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
    await qc.fetchQuery({ ...sessionQuery(), staleTime: 0 });
    navigate(target, { replace: true });
  };

  return (
    <main className="narrow auth-page">
      <PageTitle title="Log in to Airlock" />
      <h1>Log in to Airlock</h1>
      <div aria-live="polite">
        {state.reason ? <p className="note">{REASONS[state.reason]}</p> : null}
      </div>
      {status.isError ? <ErrorMessage error={status.error} /> : null}
      <form onSubmit={onSubmit}>
        <label htmlFor="password">Admin password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
        <ErrorMessage error={login.error} />
        <button type="submit" className="primary" disabled={login.pending}>
          {login.pending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <LostPassword />
    </main>
  );
}
