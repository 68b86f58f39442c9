import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { renderWithApp } from '../../test/render';
import type { AuditPage as AuditAnswer } from '../api/types';
import { AuditPage, actionGroups, auditFiltersFromSearch } from './AuditPage';

const saved = vi.hoisted(() => [] as { name: string; text: Promise<string> }[]);
vi.mock('../lib/download', () => ({
  saveBlob: (blob: Blob, name: string) => saved.push({ name, text: blob.text() }),
}));

afterEach(() => {
  vi.unstubAllGlobals();
  saved.length = 0;
});

const PROFILE = '0b4c2f4e-1111-4222-8333-944445555666';
const EXECUTION = '7d1e0c9a-2222-4333-8444-a55556666777';

const answer: AuditAnswer = {
  total: 3,
  actions: [
    { action: 'profile.lock', label: 'Profile locked', group: 'Profiles' },
    { action: 'profile.revoke', label: 'Profile revoked', group: 'Profiles' },
    { action: 'credential.delete', label: 'Credential deleted', group: 'Credentials' },
  ],
  entries: [
    {
      id: 3,
      at: '2026-12-01T12:00:00Z',
      actor_type: 'admin',
      actor_id: 's1',
      client_ip: '10.0.0.9',
      action: 'profile.lock',
      target_type: 'profile',
      target_id: PROFILE,
      detail: null,
      sentence: [
        { text: 'Admin locked profile ', ref: null },
        { text: '‘Billing agent’', ref: { type: 'profile', id: PROFILE } },
        { text: ' and was shown its key', ref: null },
      ],
    },
    {
      id: 2,
      at: '2026-12-01T11:00:00Z',
      actor_type: 'profile',
      actor_id: 'ark_abcdefgh12345678abcdefgh',
      client_ip: null,
      action: 'execution.start',
      target_type: 'execution',
      target_id: EXECUTION,
      detail: { signature_version: 2 },
      sentence: [
        { text: 'Agent with key ark_abcdefgh… started execution ', ref: null },
        { text: '7d1e0c9a…', ref: { type: 'execution', id: EXECUTION } },
      ],
    },
    {
      id: 1,
      at: '2026-12-01T10:00:00Z',
      actor_type: 'admin',
      actor_id: 's1',
      client_ip: null,
      action: 'credential.delete',
      target_type: 'credential',
      target_id: 'c1',
      detail: { name: 'OLD_KEY' },
      sentence: [{ text: 'Admin deleted credential OLD_KEY (deleted)', ref: null }],
    },
  ],
};

function renderPage(path = '/ui/audit') {
  return renderWithApp(
    <Routes>
      <Route path="/ui/audit" element={<AuditPage />} />
    </Routes>,
    path,
  );
}

/** The query strings of the audit list requests, in order. */
const listQueries = (fn: ReturnType<typeof fakeFetch>['fn']) =>
  fn.mock.calls
    .map(([input]) => new URL(String(input), 'http://airlock.test'))
    .filter((u) => u.pathname === '/api/admin/audit')
    .map((u) => Object.fromEntries(u.searchParams));

describe('audit page', () => {
  it('reads each entry as a sentence, linking what still exists', async () => {
    fakeFetch({ 'GET /api/admin/audit': json(200, answer) });
    renderPage();
    const list = await screen.findByRole('list', { name: /Audit entries/ });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((li) => li.querySelector('.audit-sentence')?.textContent)).toEqual([
      'Admin locked profile ‘Billing agent’ and was shown its key',
      'Agent with key ark_abcdefgh… started execution 7d1e0c9a…',
      'Admin deleted credential OLD_KEY (deleted)',
    ]);
    expect(
      within(items[0] as HTMLElement)
        .getByRole('link', { name: '‘Billing agent’' })
        .getAttribute('href'),
    ).toBe(`/ui/profiles/${PROFILE}`);
    expect(
      within(items[1] as HTMLElement)
        .getByRole('link', { name: '7d1e0c9a…' })
        .getAttribute('href'),
    ).toBe(`/ui/executions/${EXECUTION}`);
    expect(within(items[2] as HTMLElement).queryByRole('link')).toBeNull();
    expect(within(items[0] as HTMLElement).getByText('from 10.0.0.9')).toBeTruthy();
    // Recorded facts are there, collapsed.
    expect(within(items[2] as HTMLElement).getByText('Recorded details')).toBeTruthy();
    expect(
      within(items[2] as HTMLElement)
        .getByText('OLD_KEY')
        .closest('details'),
    ).toBeTruthy();
    expect(screen.getByText(/1–3 of 3/)).toBeTruthy();
  });

  it('filters on the server, from choices grouped by kind, and keeps them in the URL', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({ 'GET /api/admin/audit': json(200, answer) });
    renderPage('/ui/audit?since=2026-11-30');
    await screen.findByRole('list', { name: /Audit entries/ });
    const what = screen.getByLabelText('What');
    expect(
      within(what)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual([
      'Any action',
      'Profiles: any',
      'Profile locked',
      'Profile revoked',
      'Credentials: any',
      'Credential deleted',
    ]);
    await user.selectOptions(what, 'profile.*');
    await user.selectOptions(screen.getByLabelText('Who'), 'profile');
    await user.selectOptions(screen.getByLabelText('About'), 'execution');
    await waitFor(() =>
      expect(listQueries(f.fn).at(-1)).toEqual({
        action: 'profile.*',
        actor_type: 'profile',
        target_type: 'execution',
        since: new Date('2026-11-30T00:00:00').toISOString(),
        limit: '50',
        offset: '0',
      }),
    );
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(listQueries(f.fn).at(-1)).toEqual({ limit: '50', offset: '0' }));
  });

  it('downloads the filtered entries as CSV under the server`s file name', async () => {
    const user = userEvent.setup();
    const f = fakeFetch({
      'GET /api/admin/audit': json(200, answer),
      'GET /api/admin/audit/export.csv': new Response('at,summary\r\n', {
        headers: {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': 'attachment; filename="airlock-audit-2026-12-01.csv"',
        },
      }),
    });
    renderPage('/ui/audit?actor_type=admin');
    await user.click(await screen.findByRole('button', { name: 'Download CSV' }));
    expect(await screen.findByText('Downloaded airlock-audit-2026-12-01.csv.')).toBeTruthy();
    expect(saved.map((s) => s.name)).toEqual(['airlock-audit-2026-12-01.csv']);
    expect(await saved[0]?.text).toBe('at,summary\r\n');
    const csv = f.fn.mock.calls
      .map(([input]) => new URL(String(input), 'http://airlock.test'))
      .find((u) => u.pathname === '/api/admin/audit/export.csv');
    expect(Object.fromEntries(csv?.searchParams ?? [])).toEqual({ actor_type: 'admin' });
    expect(screen.getByText('Every matching entry (3), not just this page.')).toBeTruthy();
  });

  it('says when nothing matches the filters', async () => {
    fakeFetch({
      'GET /api/admin/audit': json(200, { ...answer, entries: [], total: 0 }),
    });
    renderPage('/ui/audit?target_type=profile');
    expect(await screen.findByText(/Nothing recorded matches these filters/)).toBeTruthy();
  });

  it('a malformed action in the URL gets the server`s clear 422', async () => {
    fakeFetch({
      'GET /api/admin/audit': json(422, {
        detail: [
          {
            type: 'invalid_string',
            loc: ['query', 'action'],
            msg: 'Expected an action (profile.lock) or a group of them (profile.*)',
            input: 'DROP',
          },
        ],
      }),
    });
    renderPage('/ui/audit?action=DROP');
    expect(await screen.findByText(/action: Expected an action/)).toBeTruthy();
  });
});

describe('audit filters from the URL', () => {
  it('keeps known actor and target types, days as local-day bounds', () => {
    const f = auditFiltersFromSearch(
      new URLSearchParams('action=profile.*&actor_type=root&target_type=profile&until=2026-12-01'),
    );
    expect(f).toEqual({
      action: 'profile.*',
      actor_type: undefined,
      target_type: 'profile',
      since: undefined,
      until: new Date('2026-12-01T23:59:59.999').toISOString(),
    });
  });

  it('groups actions by the part before the dot, in the server`s order', () => {
    expect(actionGroups(answer.actions).map((g) => [g.group, g.prefix, g.actions.length])).toEqual([
      ['Profiles', 'profile', 2],
      ['Credentials', 'credential', 1],
    ]);
  });
});
