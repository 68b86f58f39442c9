import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { api } from '../api/client';
import { healthQuery } from '../api/queries/health';
import { sessionKeys } from '../api/queries/session';
import { describeError } from '../lib/errors';
import { UI } from '../paths';
import { Icon } from './Icon';
import { NoticesProvider, useNotify } from './Notices';
import type { LoginState } from './RequireAdmin';
import './Layout.css';

const NAV = [
  { to: UI.overview, label: 'Overview' },
  { to: UI.credentials, label: 'Credentials' },
  { to: UI.profiles, label: 'Profiles' },
  { to: UI.executions, label: 'Executions' },
  { to: UI.requirements, label: 'Requirements' },
  { to: UI.audit, label: 'Audit log' },
  { to: UI.settings, label: 'Settings' },
];

/**
 * The app shell: the header (which Airlock this is, the pages, log out), the page, and the
 * notices. On a small screen the pages and log out fold into a menu behind one button.
 */
export function Layout() {
  return (
    <NoticesProvider>
      <div className="shell">
        <a className="skip" href="#main">
          Skip to content
        </a>
        <Header />
        <main id="main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </NoticesProvider>
  );
}

function Header() {
  const menuId = useId();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const header = useRef<HTMLElement>(null);
  const { pathname } = useLocation();

  // A new page closes the menu (the page's content is what the reader asked for).
  useEffect(() => {
    if (pathname) setOpen(false);
  }, [pathname]);

  // While open: Escape closes it and puts focus back on its button; a click, a tap or focus
  // outside the header closes it (so it never stays open over what the reader went on to).
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    const onOutside = (e: Event) => {
      if (!header.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onOutside);
    document.addEventListener('focusin', onOutside);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onOutside);
      document.removeEventListener('focusin', onOutside);
    };
  }, [open]);

  return (
    <header className="topbar" ref={header}>
      <Instance />
      <button
        type="button"
        className="menu-button"
        ref={button}
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name={open ? 'close' : 'menu'} />
        Menu
      </button>
      <div className="site-menu" id={menuId} data-open={open || undefined}>
        <nav aria-label="Main">
          <ul className="nav-list">
            {NAV.map((n) => (
              <li key={n.to}>
                {/* Also closes on the current page's own link, where the path does not change. */}
                <NavLink to={n.to} onClick={() => setOpen(false)}>
                  {n.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <LogoutButton />
      </div>
    </header>
  );
}

/** Which Airlock this is: its address, and the server's version once `/health` answered. */
function Instance() {
  const health = useQuery(healthQuery());
  const origin = window.location.origin;
  const version = health.data?.version;
  return (
    <div className="brand">
      <span className="brand-name">
        <Icon name="shield" />
        Airlock
      </span>
      <span className="instance" title={origin}>
        <span className="sr-only">Instance </span>
        {origin.replace(/^https?:\/\//, '')}
        {version ? <span className="version"> · v{version}</span> : null}
      </span>
    </div>
  );
}

function LogoutButton() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const notify = useNotify();
  const [pending, setPending] = useState(false);
  return (
    <div className="logout">
      <button
        type="button"
        disabled={pending}
        onClick={async () => {
          setPending(true);
          try {
            await api.logout();
          } catch (err) {
            // An expired session is logged out already; anything else is worth showing.
            if (!(err instanceof Error && 'status' in err && err.status === 401)) {
              notify.error(`Not logged out: ${describeError(err).message}`);
              setPending(false);
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
    </div>
  );
}
