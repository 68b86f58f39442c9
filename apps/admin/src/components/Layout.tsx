import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { api } from '../api/client';
import { sessionKeys } from '../api/queries/session';
import { UI } from '../paths';
import { ErrorMessage } from './ErrorMessage';
import type { LoginState } from './RequireAdmin';

const NAV = [
  { to: UI.overview, label: 'Overview' },
  { to: UI.credentials, label: 'Credentials' },
  { to: UI.profiles, label: 'Profiles' },
  { to: UI.executions, label: 'Executions' },
  { to: UI.requirements, label: 'Requirements' },
  { to: UI.audit, label: 'Audit log' },
  { to: UI.settings, label: 'Settings' },
];

export function Layout() {
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Airlock</span>
        <nav aria-label="Main">
          <ul className="nav-list">
            {NAV.map((n) => (
              <li key={n.to}>
                <NavLink to={n.to}>{n.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <LogoutButton />
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

function LogoutButton() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  return (
    <div className="logout">
      <button
        type="button"
        onClick={async () => {
          try {
            await api.logout();
          } catch (err) {
            // An expired session is logged out already; anything else is worth showing.
            if (!(err instanceof Error && 'status' in err && err.status === 401)) {
              setError(err);
              return;
            }
          }
          const state: LoginState = { reason: 'logged-out' };
          navigate(UI.login, { replace: true, state });
          qc.clear();
          qc.setQueryData(sessionKeys.current, null);
        }}
      >
        Log out
      </button>
      <ErrorMessage error={error} />
    </div>
  );
}
