import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { adminProfile } from '../../test/fixtures';
import { cacheText, renderWithApp } from '../../test/render';
import type { AdminProfile } from '../api/types';
import { ProfileDetailPage } from './ProfileDetailPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const ID = '0b4c2f4e-1111-4222-8333-944445555666';
const KEY = `ark_${'k'.repeat(24)}:${'S'.repeat(48)}`;

const profile = (over: Partial<AdminProfile> = {}): AdminProfile =>
  adminProfile({ id: ID, ...over });

function renderPage() {
  return renderWithApp(
    <Routes>
      <Route path="/ui/profiles/:id" element={<ProfileDetailPage />} />
    </Routes>,
    `/ui/profiles/${ID}`,
  );
}

describe('profile detail: lock', () => {
  it('confirms with exactly the credentials the key reaches, then shows the key once', async () => {
    const user = userEvent.setup();
    let locked = false;
    const lockedProfile = profile({ locked: true, key_id: KEY.split(':')[0] ?? null });
    const f = fakeFetch({
      [`GET /api/admin/profiles/${ID}`]: () => json(200, locked ? lockedProfile : profile()),
      [`POST /api/admin/profiles/${ID}/lock`]: () => {
        locked = true;
        return json(200, { ...lockedProfile, key: KEY });
      },
      'GET /api/admin/credentials': json(200, { credentials: [] }),
      'GET /api/admin/executions': json(200, { executions: [], total: 0 }),
    });
    const { queryClient } = renderPage();
    await user.click(await screen.findByRole('button', { name: 'Lock and issue key…' }));
    const reach = screen.getByRole('list', { name: 'Credentials the key reaches' });
    expect(
      within(reach)
        .getAllByRole('listitem')
        .map((li) => li.textContent?.trim()),
    ).toEqual(['STRIPE_KEY', 'DB_URL no value yet']);
    expect(f.calls.some((c) => c.path.endsWith('/lock'))).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Lock and show key' }));
    const field = (await screen.findByLabelText(/Key \(give this/)) as HTMLInputElement;
    expect(field.value).toBe(KEY);
    // The lock carries what the dialog showed, so the server can refuse if it changed since.
    expect(f.calls.find((c) => c.path.endsWith('/lock'))?.body).toEqual({
      credentials: ['STRIPE_KEY', 'DB_URL'],
    });
    expect(screen.getByText(/you will not see this again/)).toBeTruthy();
    // The profile in the cache is updated, but the key is not stored anywhere in it.
    await waitFor(() => expect(screen.getByText('locked')).toBeTruthy());
    expect(cacheText(queryClient)).not.toContain(KEY.split(':')[1]);

    await user.click(screen.getByRole('button', { name: 'Done, hide the key' }));
    expect(screen.queryByLabelText(/Key \(give this/)).toBeNull();
    expect(document.body.innerHTML).not.toContain(KEY.split(':')[1]);
  });

  it('warns when the key would reach no credentials', async () => {
    const user = userEvent.setup();
    fakeFetch({
      [`GET /api/admin/profiles/${ID}`]: json(200, profile({ credentials: [] })),
      'GET /api/admin/credentials': json(200, { credentials: [] }),
    });
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Lock and issue key…' }));
    expect(screen.getByRole('alertdialog').textContent).toContain('no credentials');
  });

  it('a failed lock shows the server detail and no key', async () => {
    const user = userEvent.setup();
    fakeFetch({
      [`GET /api/admin/profiles/${ID}`]: json(200, profile()),
      [`POST /api/admin/profiles/${ID}/lock`]: json(409, {
        detail: 'Profile is already locked; regenerate its key to get a new one',
      }),
      'GET /api/admin/credentials': json(200, { credentials: [] }),
    });
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Lock and issue key…' }));
    await user.click(screen.getByRole('button', { name: 'Lock and show key' }));
    expect(
      (await screen.findByText(/Profile is already locked/)).closest('[role="alert"]'),
    ).toBeTruthy();
    expect(screen.queryByLabelText(/Key \(give this/)).toBeNull();
  });
});

describe('profile detail: lock refused for a brokered credential', () => {
  it('shows the server message naming the credential and the host', async () => {
    const user = userEvent.setup();
    const refusal =
      'Cannot lock: credential STRIPE_KEY is brokered to api.stripe.com: port 80 is not allowed for this host';
    fakeFetch({
      [`GET /api/admin/profiles/${ID}`]: json(
        200,
        profile({ network: { mode: 'allowlist', allow: ['api.stripe.com:443'] } }),
      ),
      [`POST /api/admin/profiles/${ID}/lock`]: json(409, { detail: refusal, code: 'CONFLICT' }),
      'GET /api/admin/credentials': json(200, { credentials: [] }),
      'GET /api/admin/executions': json(200, { executions: [], total: 0 }),
    });
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Lock and issue key…' }));
    await user.click(screen.getByRole('button', { name: 'Lock and show key' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(refusal);
    expect(screen.queryByLabelText(/Key \(give this/)).toBeNull();
    // Still unlocked: the lock can be tried again once the policy or the hosts are fixed.
    expect(screen.getByRole('button', { name: 'Lock and issue key…' })).toBeTruthy();
  });
});

describe('profile detail: network policy', () => {
  it('the lock confirmation lists the hosts the key reaches next to the credentials', async () => {
    const user = userEvent.setup();
    fakeFetch({
      [`GET /api/admin/profiles/${ID}`]: json(
        200,
        profile({ network: { mode: 'allowlist', allow: ['api.stripe.com', '10.0.0.5:5432'] } }),
      ),
      'GET /api/admin/credentials': json(200, { credentials: [] }),
      'GET /api/admin/executions': json(200, { executions: [], total: 0 }),
    });
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Lock and issue key…' }));
    const dialog = screen.getByRole('alertdialog');
    const hosts = within(dialog).getByRole('list', { name: 'Hosts the key reaches' });
    expect(
      within(hosts)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['api.stripe.com', '10.0.0.5:5432']);
    expect(dialog.textContent).toContain('Neither list can change after locking.');
  });

  it('saves an allowlist, one entry per line; a locked profile shows its policy as fixed', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({
      [`GET /api/admin/profiles/${ID}`]: json(200, profile()),
      [`PUT /api/admin/profiles/${ID}`]: json(
        200,
        profile({ network: { mode: 'allowlist', allow: ['api.stripe.com', 'db.internal:5432'] } }),
      ),
      'GET /api/admin/credentials': json(200, { credentials: [] }),
      'GET /api/admin/executions': json(200, { executions: [], total: 0 }),
    });
    renderPage();
    expect(await screen.findByText(/reach/, { selector: 'p' })).toBeTruthy();
    await user.selectOptions(screen.getByLabelText('Mode'), 'allowlist');
    await user.type(
      screen.getByLabelText(/Hosts, one per line/),
      ' api.stripe.com {enter}{enter}db.internal:5432',
    );
    await user.click(screen.getByRole('button', { name: 'Save network policy' }));
    await waitFor(() =>
      expect(f.calls.find((c) => c.method === 'PUT')?.body).toEqual({
        network: { mode: 'allowlist', allow: ['api.stripe.com', 'db.internal:5432'] },
      }),
    );
  });

  it('a locked profile`s policy is shown, not editable', async () => {
    fakeFetch({
      [`GET /api/admin/profiles/${ID}`]: json(
        200,
        profile({ locked: true, key_id: 'ark_x', network: { mode: 'open', allow: [] } }),
      ),
      'GET /api/admin/credentials': json(200, { credentials: [] }),
      'GET /api/admin/executions': json(200, { executions: [], total: 0 }),
    });
    renderPage();
    expect(await screen.findByText(/any public host/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save network policy' })).toBeNull();
    expect(screen.getByText(/network policy is fixed/)).toBeTruthy();
  });
});
