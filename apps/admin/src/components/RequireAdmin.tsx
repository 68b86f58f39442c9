import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useRef } from 'react';
import { Navigate, useLocation } from 'react-router';
import { adminStatusQuery, sessionQuery } from '../api/queries/session';
import { ErrorMessage } from './ErrorMessage';
import { Loading } from './Loading';

/** What the login page is told about why it was shown. */
export interface LoginState {
  from?: string;
  reason?: 'expired' | 'logged-out' | 'password-changed';
}

/**
 * The login gate: first-visit setup if nobody has claimed this Airlock yet, else login when
 * there is no session. A session that ends while pages are open (the global 401 handler writes
 * `null`) lands on the login page with "your session expired", and back here after login.
 */
export function RequireAdmin({ children }: { children: ReactNode }) {
  const location = useLocation();
  const status = useQuery(adminStatusQuery());
  const session = useQuery(sessionQuery());
  const hadSession = useRef(false);

  if (status.isPending || session.isPending) return <Loading what="Airlock" />;
  if (status.isError) return <GateError error={status.error} />;
  if (status.data.setup_required) return <Navigate to="/ui/setup" replace />;
  if (session.isError) return <GateError error={session.error} />;
  if (session.data === null) {
    const state: LoginState = {
      from: location.pathname + location.search,
      reason: hadSession.current ? 'expired' : undefined,
    };
    return <Navigate to="/ui/login" replace state={state} />;
  }
  hadSession.current = true;
  return children;
}

function GateError({ error }: { error: unknown }) {
  return (
    <main className="narrow">
      <h1>Airlock is not answering</h1>
      <ErrorMessage error={error} />
      <p>Reload this page once the server is running.</p>
    </main>
  );
}
