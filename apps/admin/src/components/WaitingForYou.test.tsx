import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { adminCredential, adminProfile } from '../../test/fixtures';
import { renderWithApp } from '../../test/render';
import type { AdminCredential, AdminProfile, ExecutionSummary, Stats } from '../api/types';
import { UI } from '../paths';
import { profilesToLock, queueIsFull, slotsWithoutValue, WaitingForYou } from './WaitingForYou';

afterEach(() => {
  vi.unstubAllGlobals();
});

const credential = (over: Partial<AdminCredential>): AdminCredential =>
  adminCredential({
    id: 'c',
    has_value: false,
    redactable: null,
    value_updated_at: null,
    ...over,
  });

const profile = (over: Partial<AdminProfile>): AdminProfile =>
  adminProfile({ id: 'p', description: '', credentials: [], ...over });

const queue = (over: Partial<Stats['queue']> = {}): Stats['queue'] => ({
  running: 0,
  blocked: 0,
  waiting: 0,
  queued: 0,
  concurrency: 4,
  max_waiting: 16,
  capacity: 20,
  ...over,
});

const awaiting = (id: string, firstLine: string): ExecutionSummary => ({
  execution_id: id,
  profile_id: 'p-live',
  key_id: 'ark_x',
  status: 'awaiting_llm',
  signature_version: 2,
  execution_time_ms: null,
  created_at: new Date(Date.now() - 90_000).toISOString(),
  started_at: new Date(Date.now() - 90_000).toISOString(),
  completed_at: null,
  script_first_line: firstLine,
  cancelled: false,
  error_summary: null,
  pruned_at: null,
});

const live = { profile_id: 'p-live', locked: true, revoked: false };

describe('what waits', () => {
  it('lists slots without a value: agents’ first, then those a live profile uses, then by name', () => {
    const names = slotsWithoutValue([
      credential({ name: 'B_UNUSED' }),
      credential({ name: 'HAS_VALUE', has_value: true, created_by: 'agent' }),
      credential({ name: 'Z_AGENT', created_by: 'agent' }),
      credential({ name: 'A_UNUSED' }),
      credential({ name: 'M_USED', used_by: [live] }),
      credential({ name: 'C_REVOKED_USE', used_by: [{ ...live, revoked: true }] }),
      credential({ name: 'A_AGENT', created_by: 'agent' }),
    ]).map((c) => c.name);
    expect(names).toEqual([
      'A_AGENT',
      'Z_AGENT',
      'M_USED',
      'A_UNUSED',
      'B_UNUSED',
      'C_REVOKED_USE',
    ]);
  });

  it('lists profiles open for review: agents’ first, oldest first; not locked, revoked or expired', () => {
    const ids = profilesToLock([
      profile({ id: 'admin-old', created_at: '2026-11-01T00:00:00Z' }),
      profile({ id: 'agent-new', created_by: 'agent', created_at: '2026-11-20T00:00:00Z' }),
      profile({ id: 'agent-old', created_by: 'agent', created_at: '2026-11-02T00:00:00Z' }),
      profile({ id: 'locked', locked: true, created_by: 'agent' }),
      profile({ id: 'revoked', revoked: true, created_by: 'agent' }),
      profile({ id: 'expired', expired: true, created_by: 'agent' }),
    ]).map((p) => p.id);
    expect(ids).toEqual(['agent-old', 'agent-new', 'admin-old']);
  });

  it('calls the queue full when running and queued runs fill its capacity', () => {
    expect(queueIsFull(queue())).toBe(false);
    expect(queueIsFull(queue({ running: 4, queued: 15 }))).toBe(false);
    expect(queueIsFull(queue({ running: 4, queued: 16 }))).toBe(true);
    // Runs paused for an LLM answer or blocked hold no slot: they do not fill it.
    expect(queueIsFull(queue({ running: 0, waiting: 16, blocked: 10, queued: 0 }))).toBe(false);
  });
});

function routes(over: Record<string, Response | (() => Response)> = {}) {
  return fakeFetch({
    'GET /api/admin/credentials': json(200, {
      credentials: [
        credential({ name: 'ADMIN_SLOT' }),
        credential({ name: 'AGENT_SLOT', created_by: 'agent', description: 'for invoices' }),
      ],
    }),
    'GET /api/admin/profiles': json(200, {
      profiles: [
        profile({
          id: 'p-draft',
          description: 'Invoice agent',
          created_by: 'agent',
          credentials: [
            { name: 'AGENT_SLOT', description: '', has_value: false, delivery: { mode: 'inject' } },
          ],
          network: { mode: 'allowlist', allow: ['api.stripe.com', '*.example.com:8443'] },
        }),
        profile({ id: 'p-live', description: 'Live one', locked: true, key_id: 'ark_x' }),
      ],
    }),
    'GET /api/admin/stats': json(200, { queue: queue() }),
    'GET /api/admin/executions': json(200, { executions: [], total: 0 }),
    ...over,
  });
}

describe('WaitingForYou', () => {
  it('shows what agents asked for, marked as theirs, with the hosts a profile proposes', async () => {
    routes();
    renderWithApp(<WaitingForYou />);
    const section = await screen.findByRole('region', { name: 'Waiting for you' });
    // Both lists in (role queries are slow in jsdom: wait on text, then query once).
    await within(section).findByText('Credentials: AGENT_SLOT');
    await within(section).findByText('AGENT_SLOT');
    const review = within(section).getByRole('link', { name: 'Review and lock Invoice agent' });
    expect(review.getAttribute('href')).toBe(UI.profile('p-draft'));
    const items = within(section).getAllByRole('listitem');
    const slot = items.find((li) => li.textContent?.startsWith('AGENT_SLOT'));
    expect(slot?.textContent).toContain('requested by agent');
    expect(slot?.textContent).toContain('for invoices');
    const own = items.find((li) => li.textContent?.startsWith('ADMIN_SLOT'));
    expect(own?.textContent).not.toContain('requested by agent');
    // The agent's slot comes before the admin's.
    const text = section.textContent ?? '';
    expect(text.indexOf('AGENT_SLOT')).toBeLessThan(text.indexOf('ADMIN_SLOT'));

    const hosts = within(section).getByRole('list', { name: 'Hosts Invoice agent proposes' });
    expect(
      within(hosts)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['api.stripe.com', '*.example.com:8443']);
    expect(within(section).queryByText('Live one')).toBeNull();
    expect(within(section).queryByText(/queue is full/)).toBeNull();
  });

  it('warns when the queue is full', async () => {
    routes({ 'GET /api/admin/stats': json(200, { queue: queue({ running: 4, queued: 16 }) }) });
    renderWithApp(<WaitingForYou />);
    expect((await screen.findByText(/The queue is full/)).closest('p')?.textContent).toContain(
      '4 running, 16 queued, room for 20',
    );
  });

  it('says so when nothing waits', async () => {
    routes({
      'GET /api/admin/credentials': json(200, { credentials: [] }),
      'GET /api/admin/profiles': json(200, { profiles: [] }),
    });
    renderWithApp(<WaitingForYou />);
    expect(await screen.findByText(/Nothing is waiting for you/)).toBeTruthy();
  });

  it('stops a run waiting for an LLM answer after a plain-words confirmation', async () => {
    const user = userEvent.setup();
    let stopped = false;
    const f = routes({
      'GET /api/admin/executions': () =>
        json(200, {
          executions: stopped ? [] : [awaiting('exec_1', "llm.complete('summarise')")],
          total: stopped ? 0 : 1,
        }),
      'POST /api/admin/executions/exec_1/cancel': () => {
        stopped = true;
        return json(200, { execution_id: 'exec_1', status: 'error', cancelled: true });
      },
    });
    renderWithApp(<WaitingForYou />);
    const stop = await screen.findByRole('button', { name: 'Stop execution…' });
    expect(stop.getAttribute('aria-describedby')).toBeTruthy();
    expect(screen.getByText("llm.complete('summarise')").closest('li')?.textContent).toContain(
      'Live one',
    );

    // Backing out changes nothing, and focus is back on the button.
    await user.click(stop);
    const dialog = screen.getByRole('alertdialog', { name: 'Stop this execution?' });
    await user.click(within(dialog).getByRole('button', { name: 'Keep running' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(stop);
    expect(f.calls.some((c) => c.method === 'POST')).toBe(false);

    await user.click(stop);
    await user.click(screen.getByRole('button', { name: 'Stop execution' }));
    await waitFor(() => expect(screen.queryByText("llm.complete('summarise')")).toBeNull());
    expect(f.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/api/admin/executions/exec_1/cancel',
    ]);
    // Only the runs waiting for an answer are asked for.
    const list = f.fn.mock.calls
      .map(([input]) => new URL(String(input), 'http://airlock.test'))
      .find((u) => u.pathname === '/api/admin/executions');
    expect(list?.searchParams.get('status')).toBe('awaiting_llm');
  });

  it('keeps the dialog open with the server’s words when the stop fails', async () => {
    const user = userEvent.setup();
    routes({
      'GET /api/admin/executions': json(200, {
        executions: [awaiting('exec_2', 'print(1)')],
        total: 1,
      }),
      'POST /api/admin/executions/exec_2/cancel': json(409, {
        detail: "Execution is 'completed' and cannot be cancelled",
      }),
    });
    renderWithApp(<WaitingForYou />);
    await user.click(await screen.findByRole('button', { name: 'Stop execution…' }));
    await user.click(screen.getByRole('button', { name: 'Stop execution' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Stop this execution?' });
    expect((await within(dialog).findByRole('alert')).textContent).toContain('cannot be cancelled');
  });
});
