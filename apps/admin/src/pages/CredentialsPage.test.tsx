import { screen, waitFor, within } from '@testing-library/react';
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
  delivery: { mode: 'inject' },
  redactable: null,
  value_updated_at: null,
  used_by: [],
  created_by: 'admin',
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

describe('credentials: delivery', () => {
  const REFUSED =
    '"10.0.0.1": a brokered credential is bound to host names (api.example.com or *.example.com), not addresses';

  it('switches a credential to broker with its hosts, one per line, and shows them', async () => {
    const user = userEvent.setup();
    let current = cred({ has_value: true, redactable: true });
    const f = fakeFetch({
      'GET /api/admin/credentials': () => json(200, { credentials: [current] }),
      'PUT /api/admin/credentials/API_TOKEN': (call) => {
        current = { ...current, ...(call.body as Partial<AdminCredential>) };
        return json(200, current);
      },
    });
    renderWithApp(<CredentialsPage />);
    const row = (await screen.findByRole('rowheader', { name: 'API_TOKEN' })).closest('tr');
    expect(within(row as HTMLElement).getByText('injected')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Change delivery of API_TOKEN' }));
    const form = screen.getByRole('form', { name: 'Delivery of API_TOKEN' });
    await user.click(within(form).getByRole('radio', { name: /^Broker/ }));
    expect(form.textContent).toContain('never enters the sandbox');
    expect(form.textContent).toContain('must allow these hosts in its network policy');
    // No hosts: refused here, the server is not asked.
    await user.click(within(form).getByRole('button', { name: 'Save delivery' }));
    expect(within(form).getByText(/at least one host/)).toBeTruthy();
    expect(f.calls.filter((c) => c.method === 'PUT')).toEqual([]);

    await user.type(
      within(form).getByLabelText(/Hosts that receive the value/),
      ' api.stripe.com {enter}{enter}*.stripe.com:443,8443',
    );
    await user.click(within(form).getByRole('button', { name: 'Save delivery' }));
    await waitFor(() =>
      expect(f.calls.find((c) => c.method === 'PUT')?.body).toEqual({
        delivery: { mode: 'broker', hosts: ['api.stripe.com', '*.stripe.com:443,8443'] },
      }),
    );
    // The panel closes and the refetched row shows where the value goes.
    expect((await screen.findByTitle(/value goes into requests/)).textContent).toBe(
      'brokered → api.stripe.com, *.stripe.com:443,8443',
    );
    expect(screen.queryByRole('form', { name: 'Delivery of API_TOKEN' })).toBeNull();
  });

  it('switching back to inject warns that the value enters the sandbox, and sends the mode alone', async () => {
    const user = userEvent.setup();
    const brokered = cred({ delivery: { mode: 'broker', hosts: ['api.stripe.com'] } });
    const f = fakeFetch({
      'GET /api/admin/credentials': json(200, { credentials: [brokered] }),
      'PUT /api/admin/credentials/API_TOKEN': json(200, cred({})),
    });
    renderWithApp(<CredentialsPage />);
    expect((await screen.findByTitle(/value goes into requests/)).textContent).toBe(
      'brokered → api.stripe.com',
    );
    await user.click(screen.getByRole('button', { name: 'Change delivery of API_TOKEN' }));
    const form = screen.getByRole('form', { name: 'Delivery of API_TOKEN' });
    expect((within(form).getByLabelText(/Hosts that receive/) as HTMLTextAreaElement).value).toBe(
      'api.stripe.com',
    );
    expect(within(form).queryByText(/value itself enters the sandbox/)).toBeNull();
    await user.click(within(form).getByRole('radio', { name: /^Inject/ }));
    expect(within(form).getByText(/value itself enters the sandbox/)).toBeTruthy();
    await user.click(within(form).getByRole('button', { name: 'Save delivery' }));
    await waitFor(() =>
      expect(f.calls.find((c) => c.method === 'PUT')?.body).toEqual({
        delivery: { mode: 'inject' },
      }),
    );
  });

  it('a host the server refuses (422) is shown as it named it, and the form stays', async () => {
    const user = userEvent.setup();
    fakeFetch({
      'GET /api/admin/credentials': json(200, { credentials: [cred({})] }),
      'PUT /api/admin/credentials/API_TOKEN': json(422, {
        detail: [
          {
            type: 'value_error',
            loc: ['body', 'delivery', 'hosts'],
            msg: REFUSED,
            input: '10.0.0.1',
          },
        ],
        code: 'VALIDATION',
      }),
    });
    renderWithApp(<CredentialsPage />);
    await user.click(await screen.findByRole('button', { name: 'Change delivery of API_TOKEN' }));
    const form = screen.getByRole('form', { name: 'Delivery of API_TOKEN' });
    await user.click(within(form).getByRole('radio', { name: /^Broker/ }));
    await user.type(within(form).getByLabelText(/Hosts that receive/), '10.0.0.1');
    await user.click(within(form).getByRole('button', { name: 'Save delivery' }));
    const alert = await within(form).findByRole('alert');
    expect(alert.textContent).toContain('Delivery not changed');
    expect(alert.textContent).toContain(`delivery.hosts: ${REFUSED}`);
    expect(screen.getByRole('form', { name: 'Delivery of API_TOKEN' })).toBeTruthy();
  });

  it('refuses more than 20 hosts without asking the server', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({
      'GET /api/admin/credentials': json(200, { credentials: [cred({})] }),
    });
    renderWithApp(<CredentialsPage />);
    await user.click(await screen.findByRole('button', { name: 'Change delivery of API_TOKEN' }));
    const form = screen.getByRole('form', { name: 'Delivery of API_TOKEN' });
    await user.click(within(form).getByRole('radio', { name: /^Broker/ }));
    // Pasted, not typed: 21 lines.
    await user.click(within(form).getByLabelText(/Hosts that receive/));
    await user.paste(Array.from({ length: 21 }, (_, i) => `h${i}.example.com`).join('\n'));
    await user.click(within(form).getByRole('button', { name: 'Save delivery' }));
    expect(within(form).getByText(/at most 20 hosts \(21 entered\)/)).toBeTruthy();
    expect(f.calls.filter((c) => c.method === 'PUT')).toEqual([]);
  });

  it('a new credential can be brokered from the start', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({
      'POST /api/admin/credentials': json(
        201,
        cred({ name: 'GH_TOKEN', delivery: { mode: 'broker', hosts: ['api.github.com'] } }),
      ),
    });
    renderWithApp(<CreateCredentialForm />);
    await user.type(screen.getByLabelText('Name'), 'GH_TOKEN');
    await user.click(screen.getByRole('radio', { name: /^Broker/ }));
    await user.type(screen.getByLabelText(/Hosts that receive/), 'api.github.com');
    await user.click(screen.getByRole('button', { name: 'Create credential' }));
    expect(await screen.findByText('Created GH_TOKEN (no value yet).')).toBeTruthy();
    expect(f.calls[0]?.body).toEqual({
      name: 'GH_TOKEN',
      description: '',
      delivery: { mode: 'broker', hosts: ['api.github.com'] },
    });
    // The form starts over as inject.
    expect((screen.getByRole('radio', { name: /^Inject/ }) as HTMLInputElement).checked).toBe(true);
  });
});
