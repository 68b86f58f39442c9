import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { cacheText, renderWithApp } from '../../test/render';
import type { ImportPlan } from '../api/types';
import { ImportForm, readFileAsBase64 } from './ImportForm';

afterEach(() => {
  vi.unstubAllGlobals();
});

const plan: ImportPlan = {
  exported_at: '2026-11-28T12:00:00Z',
  credentials: { new: ['NEW_ONE'], duplicate: ['OLD_ONE'] },
  profiles: { new: [], duplicate: ['p1'], conflicting_key: ['p9'] },
  requirements: { new: [], duplicate: [] },
  egress_ca: 'absent',
};

const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]);
const b64 = btoa(String.fromCharCode(...bytes));

describe('<ImportForm>', () => {
  it('reads the file as base64', async () => {
    expect(await readFileAsBase64(new Blob([bytes]))).toBe(b64);
  });

  it('previews, lets the person choose a strategy, then imports that', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({
      'POST /api/admin/import/preview': json(200, plan),
      'POST /api/admin/import': json(200, { ...plan, strategy: 'overwrite' }),
    });
    const { queryClient } = renderWithApp(<ImportForm />);
    await user.upload(
      screen.getByLabelText('Export file'),
      new File([bytes], 'x.airlock-export', { type: 'application/octet-stream' }),
    );
    await user.type(screen.getByLabelText('Its passphrase'), 'the export passphrase');
    await waitFor(() =>
      expect(
        (screen.getByRole('button', { name: 'Preview import' }) as HTMLButtonElement).disabled,
      ).toBe(false),
    );
    await user.click(screen.getByRole('button', { name: 'Preview import' }));
    const preview = await screen.findByTestId('import-plan');
    expect(preview.textContent).toContain('NEW_ONE');
    expect(preview.textContent).toContain('OLD_ONE');
    expect(preview.textContent).toMatch(/key ids already belong.*p9/);
    expect(f.calls[0]?.body).toEqual({ file: b64, passphrase: 'the export passphrase' });

    await user.click(screen.getByLabelText(/overwrite/));
    await user.click(screen.getByRole('button', { name: 'Import now' }));
    expect(await screen.findByText(/existing items replaced/)).toBeTruthy();
    expect(f.calls[1]).toMatchObject({
      path: '/api/admin/import',
      body: { file: b64, passphrase: 'the export passphrase', strategy: 'overwrite' },
    });
    expect(cacheText(queryClient)).not.toContain('the export passphrase');
  });

  it('a wrong passphrase shows the server reason and no plan', async () => {
    const user = userEvent.setup();
    fakeFetch({
      'POST /api/admin/import/preview': json(422, {
        detail: 'Wrong passphrase, or the file is damaged',
      }),
    });
    renderWithApp(<ImportForm />);
    await user.upload(screen.getByLabelText('Export file'), new File([bytes], 'x'));
    await user.type(screen.getByLabelText('Its passphrase'), 'nope');
    await waitFor(() =>
      expect(
        (screen.getByRole('button', { name: 'Preview import' }) as HTMLButtonElement).disabled,
      ).toBe(false),
    );
    await user.click(screen.getByRole('button', { name: 'Preview import' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Wrong passphrase');
    expect(screen.queryByTestId('import-plan')).toBeNull();
  });
});
