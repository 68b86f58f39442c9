import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { cacheText, renderWithApp } from '../../test/render';
import { ExportForm } from './ExportForm';

afterEach(() => {
  vi.unstubAllGlobals();
});

const PASS = 'four unrelated words here';

describe('<ExportForm>', () => {
  it('refuses short or mismatched passphrases without asking the server', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({});
    renderWithApp(<ExportForm save={() => {}} />);
    const first = screen.getByLabelText('Passphrase');
    await user.type(first, 'short');
    expect(screen.getByText(/Too short/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Download export' }));
    expect(screen.getByRole('alert').textContent).toMatch(/at least 12/);

    await user.clear(first);
    await user.type(first, PASS);
    expect(screen.getByText('Strong.')).toBeTruthy();
    await user.type(screen.getByLabelText('Repeat the passphrase'), `${PASS}x`);
    await user.click(screen.getByRole('button', { name: 'Download export' }));
    expect(screen.getByRole('alert').textContent).toMatch(/do not match/);
    expect(f.calls).toEqual([]);
  });

  it('downloads the server file under its name, then clears both fields', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({
      'POST /api/admin/export': new Response(new Uint8Array([9, 9]), {
        headers: { 'Content-Disposition': 'attachment; filename="airlock-x.airlock-export"' },
      }),
    });
    const save = vi.fn();
    const { queryClient } = renderWithApp(<ExportForm save={save} />);
    await user.type(screen.getByLabelText('Passphrase'), PASS);
    await user.type(screen.getByLabelText('Repeat the passphrase'), PASS);
    await user.click(screen.getByRole('button', { name: 'Download export' }));
    await waitFor(() => expect(save).toHaveBeenCalledOnce());
    expect(save.mock.calls[0]?.[1]).toBe('airlock-x.airlock-export');
    expect(f.calls[0]?.body).toEqual({ passphrase: PASS });
    expect((screen.getByLabelText('Passphrase') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('Repeat the passphrase') as HTMLInputElement).value).toBe('');
    expect(cacheText(queryClient)).not.toContain(PASS);
  });

  it('shows the server detail when the export is refused', async () => {
    const user = userEvent.setup();
    fakeFetch({
      'POST /api/admin/export': json(422, {
        detail: [{ type: 'too_small', loc: ['body', 'passphrase'], msg: 'Too short' }],
      }),
    });
    renderWithApp(<ExportForm save={() => {}} />);
    await user.type(screen.getByLabelText('Passphrase'), PASS);
    await user.type(screen.getByLabelText('Repeat the passphrase'), PASS);
    await user.click(screen.getByRole('button', { name: 'Download export' }));
    expect((await screen.findByRole('alert')).textContent).toContain('passphrase: Too short');
  });
});
