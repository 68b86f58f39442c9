import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { cacheText, renderWithApp } from '../../test/render';
import type { AdminCredential } from '../api/types';
import { CreateCredentialForm, CredentialsPage, SetValueForm } from './CredentialsPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const cred = (over: Partial<AdminCredential>): AdminCredential => ({
  id: 'c1',
  name: 'API_TOKEN',
  description: '',
  has_value: false,
  redactable: null,
  value_updated_at: null,
  used_by: [],
  created_at: '2026-11-28T12:00:00Z',
  updated_at: '2026-11-28T12:00:00Z',
  ...over,
});

describe('credentials', () => {
  it('validates the name before asking the server', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({});
    renderWithApp(<CreateCredentialForm />);
    await user.type(screen.getByLabelText('Name'), '9LIVES');
    await user.click(screen.getByRole('button', { name: 'Create credential' }));
    expect(screen.getByText(/not starting with a digit/)).toBeTruthy();
    expect(f.calls).toEqual([]);
  });

  it('warns while the value is too short to redact, and never keeps the value', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({
      'POST /api/admin/credentials': json(201, cred({ name: 'PIN', has_value: true })),
    });
    const { queryClient } = renderWithApp(<CreateCredentialForm />);
    const value = screen.getByLabelText('Value (optional)') as HTMLInputElement;
    expect(value.type).toBe('password');
    await user.type(screen.getByLabelText('Name'), 'PIN');
    await user.type(value, '1234');
    expect(screen.getByText(/shorter than 8 characters/)).toBeTruthy();
    await user.type(value, '5678');
    expect(screen.queryByText(/shorter than 8 characters/)).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Create credential' }));
    expect(await screen.findByText('Created PIN with its value.')).toBeTruthy();
    expect(f.calls[0]?.body).toEqual({ name: 'PIN', description: '', value: '12345678' });
    // The field is emptied and the value is nowhere in TanStack's caches.
    expect(value.value).toBe('');
    expect(cacheText(queryClient)).not.toContain('12345678');
  });

  it('rotating a value sends it once and forgets it', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({
      'PUT /api/admin/credentials/API_TOKEN': json(200, cred({ has_value: true })),
    });
    const onDone = vi.fn();
    const { queryClient } = renderWithApp(
      <SetValueForm credential={{ name: 'API_TOKEN', has_value: true }} onDone={onDone} />,
    );
    await user.type(screen.getByLabelText(/New value for API_TOKEN/), 'rotated-secret-value');
    await user.click(screen.getByRole('button', { name: 'Save value' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(f.calls[0]).toMatchObject({
      method: 'PUT',
      body: { value: 'rotated-secret-value' },
    });
    expect(cacheText(queryClient)).not.toContain('rotated-secret-value');
  });

  it('a refused delete shows the server reason', async () => {
    const user = userEvent.setup();
    fakeFetch({
      'GET /api/admin/credentials': json(200, {
        credentials: [
          cred({
            has_value: true,
            redactable: true,
            used_by: [{ profile_id: 'p1', locked: true, revoked: false }],
          }),
        ],
      }),
      'DELETE /api/admin/credentials/API_TOKEN': json(409, {
        detail: "Credential 'API_TOKEN' is used by locked profile p1; revoke it first",
      }),
    });
    renderWithApp(<CredentialsPage />);
    await user.click(await screen.findByRole('button', { name: 'Delete API_TOKEN' }));
    await user.click(screen.getByRole('button', { name: 'Delete credential' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Not deleted');
    expect(alert.textContent).toContain('revoke it first');
  });
});
