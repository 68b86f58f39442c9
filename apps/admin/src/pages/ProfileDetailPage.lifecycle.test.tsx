import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { adminCredential, adminProfile, run } from '../../test/fixtures';
import { renderWithApp } from '../../test/render';
import type { AdminProfile } from '../api/types';
import { ProfileDetailPage } from './ProfileDetailPage';

/** The profile page laid out along the profile's life: attach → lock → agent → runs. */

afterEach(() => {
  vi.unstubAllGlobals();
});

const ID = adminProfile().id;
const KEY = `ark_${'n'.repeat(24)}:${'T'.repeat(48)}`;
const locked = adminProfile({
  locked: true,
  key_id: 'ark_old',
  locked_at: '2026-11-28T12:05:00Z',
});

function renderPage(routes: Parameters<typeof fakeFetch>[0]) {
  const f = fakeFetch({
    'GET /api/admin/executions': json(200, { executions: [], total: 0 }),
    'GET /api/admin/credentials': json(200, { credentials: [] }),
    ...routes,
  });
  renderWithApp(
    <Routes>
      <Route path="/ui/profiles/:id" element={<ProfileDetailPage />} />
    </Routes>,
    `/ui/profiles/${ID}`,
  );
  return f;
}

describe('profile page: the lifecycle', () => {
  it('shows the four steps in order, each a section the steps list links to', async () => {
    renderPage({ [`GET /api/admin/profiles/${ID}`]: json(200, adminProfile()) });
    const steps = await screen.findByRole('navigation', { name: 'Profile steps' });
    const links = within(steps).getAllByRole('link');
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      '#step-reach',
      '#step-lock',
      '#step-agent',
      '#step-runs',
    ]);
    // Attached, not locked: locking is the step to take.
    const current = within(steps)
      .getAllByRole('listitem')
      .find((li) => li.getAttribute('aria-current') === 'step');
    expect(current?.textContent).toContain('Lock and issue the key');
    const headings = screen
      .getAllByRole('heading', { level: 2 })
      .map((h) => h.textContent?.replace(/\s+/g, ' ').trim());
    expect(headings.slice(0, 4)).toEqual([
      'Step 1: Choose what it reaches',
      'Step 2: Lock and issue the key',
      'Step 3: Give it to the agent',
      'Step 4: Runs',
    ]);
    expect(document.getElementById('step-agent')?.textContent).toContain('Lock the profile first');
  });

  it('attaches several credentials in one request', async () => {
    const user = userEvent.setup();
    let current: AdminProfile = adminProfile({ credentials: [] });
    const f = renderPage({
      [`GET /api/admin/profiles/${ID}`]: () => json(200, current),
      'GET /api/admin/credentials': json(200, {
        credentials: ['A_KEY', 'B_KEY', 'C_KEY'].map((name) =>
          adminCredential({ name, has_value: name !== 'C_KEY' }),
        ),
      }),
      [`POST /api/admin/profiles/${ID}/credentials`]: (call) => {
        const names = (call.body as { credentials: string[] }).credentials;
        current = adminProfile({
          credentials: names.map((name) => ({
            name,
            description: '',
            has_value: true,
            delivery: { mode: 'inject' },
          })),
        });
        return json(200, current);
      },
    });
    const form = await screen.findByRole('group', { name: 'Attach credentials' });
    const submit = within(form).getByRole('button', { name: 'Attach selected' });
    expect((submit as HTMLButtonElement).disabled).toBe(true);
    await user.click(within(form).getByRole('checkbox', { name: /A_KEY/ }));
    await user.click(within(form).getByRole('checkbox', { name: /C_KEY/ }));
    expect(
      within(form).getByRole('checkbox', { name: /C_KEY/ }).closest('label')?.textContent,
    ).toContain('no value');
    await user.click(within(form).getByRole('button', { name: 'Attach 2 credentials' }));
    await waitFor(() =>
      expect(f.calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([
        { credentials: ['A_KEY', 'C_KEY'] },
      ]),
    );
    expect(await screen.findByRole('button', { name: 'Detach A_KEY' })).toBeTruthy();
    expect(await screen.findByText('Attached A_KEY, C_KEY.')).toBeTruthy();
    // What is attached is no longer offered.
    expect(screen.getByRole('group', { name: 'Attach credentials' }).textContent).not.toContain(
      'A_KEY',
    );
  });

  it('keeps regenerate, revoke and delete in a collapsed danger zone', async () => {
    renderPage({ [`GET /api/admin/profiles/${ID}`]: json(200, locked) });
    const summary = await screen.findByText('Danger zone');
    const zone = summary.closest('details') as HTMLDetailsElement;
    expect(zone.open).toBe(false);
    expect(
      within(zone)
        .getAllByRole('button', { hidden: true })
        .map((b) => b.textContent),
    ).toEqual(['Regenerate key…', 'Revoke…']);
    expect(zone.textContent).toContain('A locked profile cannot be deleted; revoke it first.');
    // Nothing destructive outside it.
    const outside = screen
      .getAllByRole('button')
      .filter((b) => !zone.contains(b))
      .map((b) => b.textContent);
    expect(outside.some((t) => /Regenerate|Revoke|Delete/.test(t ?? ''))).toBe(false);
  });

  it('regenerating asks in plain words, then shows the new key in the modal; closing it returns focus', async () => {
    const user = userEvent.setup();
    let current = locked;
    renderPage({
      [`GET /api/admin/profiles/${ID}`]: () => json(200, current),
      [`POST /api/admin/profiles/${ID}/regenerate-key`]: () => {
        current = { ...locked, key_id: KEY.split(':')[0] ?? null };
        return json(200, { ...current, key: KEY });
      },
    });
    await user.click(await screen.findByText('Danger zone'));
    await user.click(screen.getByRole('button', { name: 'Regenerate key…' }));
    const ask = screen.getByRole('alertdialog', { name: 'Issue a new key?' });
    expect(within(ask).getByRole('button', { name: 'Keep the current key' })).toBeTruthy();
    await user.click(within(ask).getByRole('button', { name: 'Regenerate key' }));

    const dialog = await screen.findByRole('dialog', { name: 'The profile key' });
    expect((within(dialog).getByLabelText(/Key \(give this/) as HTMLInputElement).value).toBe(KEY);
    expect(dialog.contains(document.activeElement)).toBe(true);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.body.innerHTML).not.toContain(KEY.split(':')[1]);
    expect(document.activeElement?.textContent).toBe('Regenerate key…');
  });

  it('lists this profile’s runs in the shared table, live', async () => {
    renderPage({
      [`GET /api/admin/profiles/${ID}`]: json(200, locked),
      'GET /api/admin/executions': json(200, {
        executions: [run({ profile_id: ID, status: 'awaiting_llm', script_first_line: 'ask()' })],
        total: 1,
      }),
    });
    const table = await screen.findByRole('region', { name: 'Runs of this profile' });
    const row = within(table).getByRole('row', { name: /ask\(\)/ });
    expect(row.className).toContain('row-awaiting');
    // On its own page, the profile column would only repeat the profile.
    expect(within(table).queryByRole('columnheader', { name: 'Profile' })).toBeNull();
    expect(
      within(screen.getByRole('navigation', { name: 'Profile steps' })).getByText('1 run'),
    ).toBeTruthy();
  });
});
