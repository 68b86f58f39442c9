import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import type { AdminProfile } from '../api/types';
import { LockReview } from './LockReview';

const agentProfile = (over: Partial<AdminProfile> = {}): AdminProfile => ({
  id: '0b4c2f4e-1111-4222-8333-944445555666',
  description: 'Invoice agent',
  locked: false,
  key_id: null,
  credentials: [
    {
      name: 'STRIPE_KEY',
      description: '',
      has_value: true,
      delivery: { mode: 'broker', hosts: ['api.stripe.com'] },
    },
    { name: 'DB_URL', description: '', has_value: false, delivery: { mode: 'inject' } },
  ],
  network: { mode: 'allowlist', allow: ['api.stripe.com', '10.0.0.5:5432'] },
  expires_at: null,
  expired: false,
  revoked: false,
  require_signature_v2: false,
  locked_at: null,
  revoked_at: null,
  created_by: 'agent',
  created_at: '2026-11-28T12:00:00Z',
  updated_at: '2026-11-28T12:00:00Z',
  ...over,
});

/** LockReview as the profile page uses it: `onLock` settles `pending` and `error`. */
function Harness({
  profile = agentProfile(),
  lock,
}: {
  profile?: AdminProfile;
  lock: () => Promise<boolean>;
}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <LockReview
      profile={profile}
      pending={pending}
      error={error}
      onLock={async () => {
        setPending(true);
        setError(null);
        try {
          return await lock();
        } catch (e) {
          setError(e);
          return false;
        } finally {
          setPending(false);
        }
      }}
    />
  );
}

describe('<LockReview>', () => {
  it('lists the credentials with how each reaches scripts, the network and what locking means', async () => {
    const user = userEvent.setup();
    render(<Harness lock={vi.fn()} />);
    await user.click(screen.getByRole('button', { name: 'Review and lock…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Review before locking' });
    expect(dialog.textContent).toContain('An agent created Invoice agent');
    const creds = within(dialog).getByRole('list', { name: 'Credentials the key reaches' });
    expect(
      within(creds)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['STRIPE_KEYbrokered → api.stripe.com', 'DB_URLinjectedno value yet']);
    const hosts = within(dialog).getByRole('list', { name: 'Hosts the key reaches' });
    expect(
      within(hosts)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['api.stripe.com', '10.0.0.5:5432']);
    expect(within(dialog).getByRole('heading', { name: 'What locking means' })).toBeTruthy();
    expect(dialog.textContent).toContain('shown once');
    // Focus starts on the safe choice.
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Go back' }));
  });

  it('"Go back" closes it without locking, and focus returns to the lock button', async () => {
    const user = userEvent.setup();
    const lock = vi.fn(async () => true);
    render(<Harness lock={lock} />);
    const opener = screen.getByRole('button', { name: 'Review and lock…' });
    await user.click(opener);
    await user.click(screen.getByRole('button', { name: 'Go back' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
    // Escape backs out the same way.
    await user.click(opener);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(lock).not.toHaveBeenCalled();
  });

  it('"Lock profile" locks and closes; a refusal stays in the dialog, in the server’s words', async () => {
    const user = userEvent.setup();
    const lock = vi
      .fn<() => Promise<boolean>>()
      .mockRejectedValueOnce(
        new ApiError(409, '/api/admin/profiles/x/lock', {
          detail: "Profile changed since you looked: it now reaches 'X'",
        }),
      )
      .mockResolvedValueOnce(true);
    render(<Harness lock={lock} />);
    await user.click(screen.getByRole('button', { name: 'Review and lock…' }));
    await user.click(screen.getByRole('button', { name: 'Lock profile' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Review before locking' });
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('The profile was not locked');
    expect(alert.textContent).toContain('Profile changed since you looked');

    await user.click(within(dialog).getByRole('button', { name: 'Lock profile' }));
    expect(lock).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('says so when the key would reach no credentials, or any public host', async () => {
    const user = userEvent.setup();
    render(
      <Harness
        profile={agentProfile({ credentials: [], network: { mode: 'open', allow: [] } })}
        lock={vi.fn()}
      />,
    );
    await user.click(screen.getByRole('button', { name: 'Review and lock…' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('The key will reach no credentials');
    expect(dialog.textContent).toContain('Any public host');
  });
});
