import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { renderWithApp } from '../../test/render';
import type { AdminRequirements } from '../api/types';
import { importablePackages } from '../components/ImportablePackages';
import { splitInstallerDetail } from '../components/InstallerOutput';
import { parseSpecs } from '../components/InstallPackagesForm';
import { RequirementsPage } from './RequirementsPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const PROFILE = '0b4c2f4e-1111-4222-8333-944445555666';
const FAILED =
  'Package installation failed (rejected): install rejected: a FIFO at stall-here\nline two of pip';
const listed: AdminRequirements = {
  system: [
    { name: 'httpx', version: '0.23.3' },
    { name: 'PyYAML', version: '6.0' },
    { name: 'requests', version: '2.28.1' },
  ],
  failures: [
    {
      at: '2026-12-01T11:30:00Z',
      actor_type: 'profile',
      packages: ['fifo-pkg'],
      scope: PROFILE,
      reason: 'rejected',
      output: FAILED,
    },
  ],
  packages: [
    {
      name: 'requests',
      spec: 'requests==2.31.0',
      version: '2.31.0',
      scope: PROFILE,
      installed_at: '2026-12-01T11:00:00Z',
    },
    {
      name: 'pandas',
      spec: 'pandas==2.2.*',
      version: '2.2.3',
      scope: 'shared',
      installed_at: '2026-12-01T10:00:00Z',
    },
  ],
};

const profiles = json(200, {
  profiles: [{ id: PROFILE, description: 'Billing agent', revoked: false }],
});

function renderPage() {
  return renderWithApp(
    <Routes>
      <Route path="/ui/requirements" element={<RequirementsPage />} />
    </Routes>,
    '/ui/requirements',
  );
}

/** The table's rows as `name · version · from` (`from` without the install's spec and time). */
function rows(): string[] {
  const table = screen.getByRole('region', { name: 'Importable packages' });
  const text = (el: Element | null | undefined) => el?.textContent?.replace(/\s+/g, ' ').trim();
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((r) => {
      const [name, version, from] = [...r.querySelectorAll('th, td')];
      return [text(name), text(version), text(from?.querySelector('.package-for, .badge'))].join(
        ' · ',
      );
    });
}

describe('requirements page', () => {
  it('lists system and installed packages in one list, each labelled by where it comes from', async () => {
    const user = userEvent.setup();
    fakeFetch({
      'GET /api/admin/requirements': json(200, listed),
      'GET /api/admin/profiles': profiles,
    });
    renderPage();
    await screen.findByRole('region', { name: 'Importable packages' });
    await screen.findByRole('link', { name: 'Billing agent' });
    expect(rows()).toEqual([
      'httpx · 0.23.3 · system',
      'pandas · 2.2.3 · installed every profile',
      'PyYAML · 6.0 · system',
      'requests · 2.31.0 (system: 2.28.1) · installed only Billing agent',
      'requests · 2.28.1 · system',
    ]);
    expect(screen.getByText(/3 system packages/)).toBeTruthy();
    // An install says what was asked for.
    expect(
      within(screen.getByRole('region', { name: 'Importable packages' }))
        .getByText('pandas==2.2.*')
        .closest('td')?.textContent,
    ).toMatch(/^installed every profileas pandas==2\.2\.\* · /);
    await user.type(screen.getByLabelText('Find a package'), 'REQ');
    expect(rows()).toHaveLength(2);
    expect(screen.getByText('2 of 5 packages')).toBeTruthy();
    await user.clear(screen.getByLabelText('Find a package'));
    await user.selectOptions(screen.getByLabelText('Show'), 'installed');
    expect(rows().map((r) => r.split(' · ')[0])).toEqual(['pandas', 'requests']);
    await user.selectOptions(screen.getByLabelText('Show'), 'system');
    expect(rows().every((r) => r.endsWith('system'))).toBe(true);
  });

  it('shows a failed install with its output collapsed', async () => {
    fakeFetch({
      'GET /api/admin/requirements': json(200, listed),
      'GET /api/admin/profiles': profiles,
    });
    renderPage();
    const failures = await screen.findByRole('region', { name: 'Recent failed installs' });
    expect(failures.textContent).toMatch(
      /fifo-pkg for Billing agent, asked by an agent with its profile key: what pip left behind broke the installer’s limits and was thrown away\./,
    );
    const output = within(failures).getByText(/a FIFO at stall-here/);
    const details = output.closest('details') as HTMLDetailsElement;
    expect(details.open).toBe(false);
    expect(within(details).getByText('Installer output (2 lines)')).toBeTruthy();
  });

  it('installs for the chosen scope, showing progress, then the result', async () => {
    const user = userEvent.setup();
    let answer: (r: Response) => void = () => {};
    const f = fakeFetch({
      'GET /api/admin/requirements': json(200, listed),
      'GET /api/admin/profiles': profiles,
      'POST /api/admin/requirements': () => new Promise<Response>((r) => (answer = r)),
    });
    renderPage();
    await screen.findByRole('option', { name: 'Billing agent only' });
    await user.type(screen.getByLabelText(/Packages/), 'six==1.16.0, attrs');
    await user.selectOptions(screen.getByLabelText('For'), PROFILE);
    await user.click(screen.getByRole('button', { name: 'Install' }));
    const status = await screen.findByText(/^Installing six/);
    expect(status.textContent).toBe('Installing six==1.16.0 attrs for profile Billing agent…');
    expect(status.getAttribute('role')).toBe('status');
    expect(screen.getByRole('progressbar', { name: 'Installing' })).toBeTruthy();
    expect((screen.getByLabelText(/Packages/) as HTMLInputElement).disabled).toBe(true);
    expect(f.calls.find((c) => c.method === 'POST')?.body).toEqual({
      packages: ['six==1.16.0', 'attrs'],
      scope: PROFILE,
    });
    answer(
      json(200, {
        installed: [
          { name: 'six', version: '1.16.0' },
          { name: 'attrs', version: '23.2.0' },
        ],
        packages: listed.packages,
      }),
    );
    expect(
      await screen.findByText('Installed for profile Billing agent: six 1.16.0, attrs 23.2.0.'),
    ).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect((screen.getByLabelText(/Packages/) as HTMLInputElement).value).toBe('');
    // The list is read again after an install.
    await waitFor(() =>
      expect(
        f.calls.filter((c) => c.path === '/api/admin/requirements' && c.method === 'GET'),
      ).toHaveLength(2),
    );
  });

  it('a failed install says nothing changed, with pip`s output; an empty form asks for a package', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({
      'GET /api/admin/requirements': json(200, { packages: [], system: [], failures: [] }),
      'GET /api/admin/profiles': json(200, { profiles: [] }),
      'POST /api/admin/requirements': json(422, { detail: FAILED }),
    });
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Install' }));
    expect(screen.getByText(/Name at least one package/)).toBeTruthy();
    expect(f.calls.some((c) => c.method === 'POST')).toBe(false);
    await user.type(screen.getByLabelText(/Packages/), 'fifo-pkg');
    await user.click(screen.getByRole('button', { name: 'Install' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/The install failed; nothing changed/);
    expect(alert.textContent).toMatch(/The installer’s verdict: what pip left behind broke/);
    const pre = within(alert).getByText(/a FIFO at stall-here/);
    expect((pre.closest('details') as HTMLDetailsElement).open).toBe(true);
  });
});

describe('package helpers', () => {
  it('parseSpecs splits on commas and white space', () => {
    expect(parseSpecs(' pandas==2.2.*,httpx\n  six ')).toEqual(['pandas==2.2.*', 'httpx', 'six']);
    expect(parseSpecs(' , ')).toEqual([]);
  });

  it('importablePackages matches names as pip does and puts what a script takes first', () => {
    const r = importablePackages({
      system: [{ name: 'PyYAML', version: '6.0' }],
      packages: [
        { name: 'pyyaml', spec: 'py_yaml', version: '6.1', scope: 'shared', installed_at: 'x' },
      ],
      failures: [],
    });
    expect(r.map((p) => [p.name, p.source, p.replacesSystem])).toEqual([
      ['pyyaml', 'shared', '6.0'],
      ['PyYAML', 'system', undefined],
    ]);
  });

  it('splitInstallerDetail separates the reason from the output', () => {
    expect(splitInstallerDetail(FAILED)).toEqual({
      reason: 'rejected',
      output: 'install rejected: a FIFO at stall-here\nline two of pip',
    });
    expect(splitInstallerDetail('…the end of a long output')).toEqual({
      reason: undefined,
      output: '…the end of a long output',
    });
  });
});
