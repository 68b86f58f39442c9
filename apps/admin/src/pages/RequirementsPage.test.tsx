import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { renderWithApp } from '../../test/render';
import { RequirementsPage } from './RequirementsPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const PROFILE = '0b4c2f4e-1111-4222-8333-944445555666';
const listed = {
  system: [{ name: 'requests', version: '2.28.1' }],
  failures: [
    {
      at: '2026-12-01T11:30:00Z',
      actor_type: 'profile',
      packages: ['fifo-pkg'],
      scope: PROFILE,
      reason: 'rejected',
      output: 'Package installation failed (rejected): install rejected: a FIFO at stall-here',
    },
  ],
  packages: [
    {
      name: 'httpx',
      spec: 'httpx',
      version: '0.27.0',
      scope: 'shared',
      installed_at: '2026-12-01T10:00:00Z',
    },
    {
      name: 'pandas',
      spec: 'pandas==2.2.*',
      version: '2.2.3',
      scope: PROFILE,
      installed_at: '2026-12-01T11:00:00Z',
    },
  ],
};

function renderPage() {
  return renderWithApp(
    <Routes>
      <Route path="/ui/requirements" element={<RequirementsPage />} />
    </Routes>,
    '/ui/requirements',
  );
}

describe('requirements page', () => {
  it('names the scope of each package and installs for the chosen scope', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({
      'GET /api/admin/requirements': json(200, listed),
      'GET /api/admin/profiles': json(200, {
        profiles: [{ id: PROFILE, description: 'Billing agent', revoked: false }],
      }),
      'POST /api/admin/requirements': json(200, {
        installed: [{ name: 'six', version: '1.16.0' }],
        ...listed,
      }),
    });
    renderPage();
    expect(await screen.findByText('every profile', { selector: 'td' })).toBeTruthy();
    expect(await screen.findByRole('link', { name: 'Billing agent' })).toBeTruthy();
    // What scripts import without installs, and what failed, with its output.
    expect(screen.getByText(/Debian’s python3 packages \(1\)/)).toBeTruthy();
    expect(screen.getByText('requests 2.28.1')).toBeTruthy();
    expect(screen.getByText(/install rejected: a FIFO at stall-here/)).toBeTruthy();
    await user.type(screen.getByLabelText(/Packages/), 'six==1.16.0 attrs');
    await user.selectOptions(screen.getByLabelText(/^For/), PROFILE);
    await user.click(screen.getByRole('button', { name: 'Install' }));
    expect(await screen.findByText(/Installed: six 1.16.0/)).toBeTruthy();
    await waitFor(() =>
      expect(f.calls.find((c) => c.method === 'POST')?.body).toEqual({
        packages: ['six==1.16.0', 'attrs'],
        scope: PROFILE,
      }),
    );
  });

  it('a failed install shows pip`s output and says nothing changed', async () => {
    const user = userEvent.setup();
    fakeFetch({
      'GET /api/admin/requirements': json(200, { packages: [], system: [], failures: [] }),
      'GET /api/admin/profiles': json(200, { profiles: [] }),
      'POST /api/admin/requirements': json(422, {
        detail: 'Package installation failed (rejected): install rejected: a FIFO at stall-here',
      }),
    });
    renderPage();
    await user.type(await screen.findByLabelText(/Packages/), 'fifo-pkg');
    await user.click(screen.getByRole('button', { name: 'Install' }));
    expect(await screen.findByText(/a FIFO at stall-here/)).toBeTruthy();
    expect(screen.getByText(/nothing changed/)).toBeTruthy();
  });
});
