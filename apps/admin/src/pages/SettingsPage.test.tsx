import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { renderWithApp } from '../../test/render';
import type { EgressCa } from '../api/types';
import { EgressCaSection } from '../components/EgressCaSection';
import { SettingsPage } from './SettingsPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

const ca = (over: Partial<EgressCa> = {}): EgressCa => ({
  certificate: PEM,
  fingerprint_sha256: 'AB:CD:EF:01',
  not_before: '2026-11-28T12:00:00Z',
  not_after: '2036-11-28T12:00:00Z',
  subject: 'CN=Airlock egress CA',
  ...over,
});

function caSection() {
  return screen.getByRole('region', { name: 'Egress certificate authority' });
}

describe('settings: egress certificate authority', () => {
  it('shows subject, fingerprint and validity; rotates only after confirming', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({
      'GET /api/admin/egress-ca': json(200, ca()),
      'POST /api/admin/egress-ca/rotate': json(200, ca({ fingerprint_sha256: '12:34:56:78' })),
    });
    renderWithApp(<SettingsPage />, '/ui/settings');
    expect(await within(caSection()).findByText('CN=Airlock egress CA')).toBeTruthy();
    const section = caSection();
    expect(within(section).getByText('AB:CD:EF:01')).toBeTruthy();
    const times = section.querySelectorAll('time');
    expect([...times].map((t) => t.dateTime)).toEqual([
      '2026-11-28T12:00:00Z',
      '2036-11-28T12:00:00Z',
    ]);
    expect(within(section).getByRole('button', { name: 'Copy certificate (PEM)' })).toBeTruthy();

    await user.click(within(section).getByRole('button', { name: 'Rotate…' }));
    // A modal dialog, outside the section (in the page's top layer).
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('Runs started from now on use a new authority');
    expect(f.calls.some((c) => c.method === 'POST')).toBe(false);

    await user.click(within(dialog).getByRole('button', { name: 'Rotate certificate authority' }));
    await waitFor(() =>
      expect(f.calls.filter((c) => c.method === 'POST')).toEqual([
        { method: 'POST', path: '/api/admin/egress-ca/rotate', body: undefined },
      ]),
    );
    // The new CA replaces the old one on the page.
    expect(await within(section).findByText('12:34:56:78')).toBeTruthy();
    expect(within(section).queryByText('AB:CD:EF:01')).toBeNull();
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByText('Rotated. New SHA-256 fingerprint: 12:34:56:78.')).toBeTruthy();
  });

  it('cancelling the confirmation rotates nothing', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({ 'GET /api/admin/egress-ca': json(200, ca()) });
    renderWithApp(<EgressCaSection />);
    const rotate = await screen.findByRole('button', { name: 'Rotate…' });
    await user.click(rotate);
    // Focus starts on the way out, and goes back to the opener.
    const keep = screen.getByRole('button', { name: 'Keep the current one' });
    expect(document.activeElement).toBe(keep);
    await user.click(keep);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(rotate);
    expect(f.calls.map((c) => c.method)).toEqual(['GET']);
  });

  it('a refused rotation shows the server detail', async () => {
    const user = userEvent.setup();
    fakeFetch({
      'GET /api/admin/egress-ca': json(200, ca()),
      'POST /api/admin/egress-ca/rotate': json(503, { detail: 'The vault is sealed' }),
    });
    renderWithApp(<EgressCaSection />);
    await user.click(await screen.findByRole('button', { name: 'Rotate…' }));
    await user.click(screen.getByRole('button', { name: 'Rotate certificate authority' }));
    // Inside the dialog, which stays open to retry or back out.
    const alert = await within(screen.getByRole('alertdialog')).findByRole('alert');
    expect(alert.textContent).toContain('Not rotated');
    expect(alert.textContent).toContain('The vault is sealed');
    expect(screen.getByText('AB:CD:EF:01')).toBeTruthy();
  });

  it('downloads the certificate as a PEM file', async () => {
    const user = userEvent.setup();
    fakeFetch({ 'GET /api/admin/egress-ca': json(200, ca()) });
    const save = vi.fn<(blob: Blob, name: string) => void>();
    renderWithApp(<EgressCaSection save={save} />);
    await user.click(await screen.findByRole('button', { name: 'Download airlock-egress-ca.pem' }));
    expect(save).toHaveBeenCalledTimes(1);
    const [blob, name] = save.mock.calls[0] ?? [];
    expect(name).toBe('airlock-egress-ca.pem');
    expect(await blob?.text()).toBe(PEM);
  });
});
