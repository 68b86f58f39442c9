import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { renderWithApp } from '../../test/render';
import { LoginPage } from './LoginPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('login page', () => {
  it('explains, collapsed, what to do when the admin password is lost', async () => {
    const user = userEvent.setup();
    fakeFetch({
      'GET /api/admin/status': json(200, { setup_required: false, setup_code_file: null }),
      'GET /api/admin/session': json(401, { detail: 'Not authenticated' }),
    });
    renderWithApp(
      <Routes>
        <Route path="/ui/login" element={<LoginPage />} />
      </Routes>,
      '/ui/login',
    );
    const summary = await screen.findByText('Lost the admin password?');
    const details = summary.closest('details') as HTMLDetailsElement;
    expect(details.open).toBe(false);
    await user.click(summary);
    expect(details.open).toBe(true);
    // The procedure of docs/operations.md, exactly.
    expect(details.textContent).toContain(
      'sqlite3 data/private/airlock.db "DELETE FROM sessions; DELETE FROM admin;"',
    );
    expect(details.textContent).toMatch(/prints a new setup code/);
    expect(details.textContent).toMatch(/AIRLOCK_ADMIN_PASSWORD_FILE/);
    expect(details.textContent).toMatch(/agents’ keys, the history and the audit log are kept/);
  });
});
