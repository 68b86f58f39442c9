import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../test/fake-fetch';
import { renderWithApp } from '../test/render';
import { AppRoutes } from './routes';

afterEach(() => {
  vi.unstubAllGlobals();
});

const status = (setup_required: boolean) =>
  json(200, {
    setup_required,
    setup_code_file: setup_required ? 'private/setup-code' : null,
  });

describe('routing and the login gate', () => {
  it('first visit goes to setup, which names the setup code file', async () => {
    fakeFetch({
      'GET /api/admin/status': status(true),
      'GET /api/admin/session': json(401, { detail: 'Not authenticated' }),
    });
    renderWithApp(<AppRoutes />, '/');
    expect(await screen.findByRole('heading', { name: 'Set up Airlock' })).toBeTruthy();
    expect(screen.getAllByText('private/setup-code').length).toBeGreaterThan(0);
  });

  it('without a session, a deep link shows the login page', async () => {
    fakeFetch({
      'GET /api/admin/status': status(false),
      'GET /api/admin/session': json(401, { detail: 'Not authenticated' }),
    });
    renderWithApp(<AppRoutes />, '/ui/profiles');
    expect(await screen.findByRole('heading', { name: 'Log in to Airlock' })).toBeTruthy();
    expect(screen.queryByText(/session expired/)).toBeNull();
  });

  it('a 401 from any admin request mid-session lands on login saying the session expired', async () => {
    let loggedIn = true;
    fakeFetch({
      'GET /api/admin/status': status(false),
      'GET /api/admin/session': () =>
        loggedIn
          ? json(200, { authenticated: true, expires_at: '2026-12-01T00:00:00Z' })
          : json(401, { detail: 'Not authenticated' }),
      'GET /api/admin/credentials': () => {
        loggedIn = false;
        return json(401, { detail: 'Session expired or invalid; log in again' });
      },
    });
    renderWithApp(<AppRoutes />, '/ui/credentials');
    expect(await screen.findByRole('heading', { name: 'Log in to Airlock' })).toBeTruthy();
    expect(screen.getByText(/Your session expired/)).toBeTruthy();
  });

  it('an unknown /ui/ page says so inside the app', async () => {
    fakeFetch({
      'GET /api/admin/status': status(false),
      'GET /api/admin/session': json(200, { authenticated: true, expires_at: 'x' }),
    });
    renderWithApp(<AppRoutes />, '/ui/nope');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeTruthy();
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
  });
});
