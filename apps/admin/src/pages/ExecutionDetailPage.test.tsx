import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { renderWithApp } from '../../test/render';
import type { ExecutionDetail, NetworkRecord } from '../api/types';
import { ExecutionDetailPage, formatBytes, llmWaitMs } from './ExecutionDetailPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const ID = 'e1a2b3c4-0000-4000-8000-000000000001';

const connection = (over: Partial<NetworkRecord>): NetworkRecord => ({
  host: 'pypi.org',
  port: 443,
  verdict: 'allowed',
  address: '151.101.0.223',
  bytes_up: 100,
  bytes_down: 2000,
  started_ms: 10,
  duration_ms: 50,
  ...over,
});

const execution = (network: NetworkRecord[]): ExecutionDetail => ({
  execution_id: ID,
  profile_id: 'p1',
  key_id: 'ark_k',
  status: 'completed',
  script: 'print(1)',
  stdout: '',
  stderr: '',
  result: null,
  error: null,
  error_summary: null,
  script_first_line: 'print(1)',
  cancelled: false,
  execution_time_ms: 120,
  timeout_seconds: 60,
  signature_version: 2,
  created_at: '2026-11-28T12:00:00Z',
  started_at: '2026-11-28T12:00:00Z',
  completed_at: '2026-11-28T12:00:01Z',
  redaction_counts: {},
  network,
  llm_request: null,
  llm_exchanges: [],
  pruned_at: null,
});

function renderPage(detail: ExecutionDetail) {
  fakeFetch({
    [`GET /api/admin/executions/${ID}`]: json(200, detail),
    'GET /api/admin/profiles': json(200, { profiles: [] }),
  });
  return renderWithApp(
    <Routes>
      <Route path="/ui/executions/:id" element={<ExecutionDetailPage />} />
    </Routes>,
    `/ui/executions/${ID}`,
  );
}

const cells = (row: HTMLElement) =>
  within(row)
    .getAllByRole('cell')
    .map((c) => c.textContent);

describe('execution detail: brokered connections', () => {
  it('lists each request with the credentials put in and the placeholders left', async () => {
    renderPage(
      execution([
        connection({}),
        connection({
          host: 'api.stripe.com',
          started_ms: 20,
          brokered: {
            requests: [
              { method: 'POST', status: 200, substituted: ['STRIPE_KEY', 'STRIPE_ACCOUNT'] },
              {
                method: 'GET',
                status: 502,
                substituted: [],
                unsubstituted: ['GITHUB_TOKEN'],
                error: 'the upstream failed: ECONNRESET',
              },
            ],
            dropped_requests: 3,
          },
        }),
      ]),
    );
    const requests = await screen.findByRole('table', { name: 'Requests to api.stripe.com:443' });
    const rows = within(requests).getAllByRole('row').slice(1);
    expect(rows.map(cells)).toEqual([
      ['POST', '200', 'STRIPE_KEY, STRIPE_ACCOUNT', '—', '—'],
      ['GET', '502', '—', 'GITHUB_TOKEN', 'the upstream failed: ECONNRESET'],
    ]);
    expect(
      screen.getByText(/3 more requests on this connection, counted but not recorded/),
    ).toBeTruthy();
    // Only the brokered connection gets the details row.
    expect(screen.getAllByRole('table', { name: /^Requests to/ })).toHaveLength(1);
    expect(screen.queryByText(/sent unchanged/)).toBeNull();
  });

  it('warns when a placeholder went to a host it is not bound to', async () => {
    renderPage(
      execution([
        connection({ host: 'evil.example', placeholders: ['STRIPE_KEY'] }),
        connection({ host: 'other.example', started_ms: 30, placeholders: ['A_KEY', 'B_KEY'] }),
      ]),
    );
    expect((await screen.findByText(/^Placeholder of/)).closest('p')?.textContent).toBe(
      'Placeholder of STRIPE_KEY sent to a host it is not bound to: sent unchanged.',
    );
    expect(screen.getByText(/^Placeholders of/).closest('p')?.textContent).toBe(
      'Placeholders of A_KEY, B_KEY sent to a host they are not bound to: sent unchanged.',
    );
    expect(screen.queryByRole('table', { name: /^Requests to/ })).toBeNull();
  });
});

const base = (over: Partial<ExecutionDetail>): ExecutionDetail => ({ ...execution([]), ...over });
const section = (name: string) => screen.queryByRole('region', { name });

describe('execution detail: summary and sections', () => {
  it('a summary header with status, run time and the time waited for the LLM, labelled', async () => {
    renderPage(
      base({
        execution_time_ms: 2500,
        llm_exchanges: [
          {
            seq: 1,
            prompt: 'Say yes',
            model: 'small',
            response: 'yes',
            asked_at: '2026-11-28T12:00:00Z',
            answered_at: '2026-11-28T12:00:04Z',
          },
          {
            seq: 2,
            prompt: 'Again?',
            model: 'small',
            response: 'no',
            asked_at: '2026-11-28T12:00:05Z',
            answered_at: '2026-11-28T12:00:06.5Z',
          },
        ],
      }),
    );
    const summary = await screen.findByRole('region', { name: 'Summary' });
    const fact = (label: string) =>
      within(summary).getByText(label, { selector: 'dt' }).nextElementSibling?.textContent;
    expect(within(summary).getByText('completed', { selector: '.badge' })).toBeTruthy();
    expect(fact('Run time')).toBe('2.50 s (limit 60 s)');
    expect(fact('Waited for the LLM')).toBe('5.50 s (2 questions, not counted in run time)');
    expect(fact('Redactions')).toBe('none: no credential value appeared');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('print(1)');
  });

  it('hides empty sections; the others open and close, with copy buttons', async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText');
    renderPage(base({ stdout: 'hello\n', stderr: '', result: { ok: true } }));
    const result = await screen.findByRole('region', { name: 'Result' });
    expect(section('Standard output')).toBeTruthy();
    for (const hidden of ['Standard error', 'Error', 'LLM exchanges', 'Network connections'])
      expect(section(hidden)).toBeNull();
    await user.click(within(result).getByRole('button', { name: 'Copy result' }));
    expect(writeText).toHaveBeenLastCalledWith('{\n  "ok": true\n}');
    const script = section('Script') as HTMLElement;
    await user.click(within(script).getByRole('button', { name: 'Copy script' }));
    expect(writeText).toHaveBeenLastCalledWith('print(1)');
    await user.click(
      within(section('Standard output') as HTMLElement).getByRole('button', {
        name: 'Copy output',
      }),
    );
    expect(writeText).toHaveBeenLastCalledWith('hello\n');
    // The heading opens and closes its section.
    const details = result.querySelector('details') as HTMLDetailsElement;
    expect(details.open).toBe(true);
    await user.click(within(result).getByRole('heading', { name: 'Result' }));
    expect(details.open).toBe(false);
  });

  it('an error reads as one, with its traceback to copy', async () => {
    renderPage(
      base({
        status: 'error',
        error: 'Traceback (most recent call last):\nValueError: bad input',
        error_summary: 'ValueError: bad input',
      }),
    );
    const error = await screen.findByRole('region', { name: 'Error' });
    expect(error.className).toContain('run-part-error');
    expect(error.querySelector('pre')?.textContent).toContain('ValueError: bad input');
    expect(within(error).getByRole('button', { name: 'Copy error' })).toBeTruthy();
    expect(screen.getByText('error', { selector: '.status-line .badge' })).toBeTruthy();
  });

  it('a cancelled run shows as cancelled, not as an error; an unanswered prompt is not “waiting”', async () => {
    renderPage(
      base({
        status: 'error',
        cancelled: true,
        error: 'cancelled by the admin',
        error_summary: 'cancelled by the admin',
        llm_exchanges: [
          {
            seq: 1,
            prompt: 'Say yes',
            model: 'small',
            response: null,
            asked_at: '2026-11-28T12:00:00Z',
            answered_at: null,
          },
        ],
      }),
    );
    await screen.findByRole('region', { name: 'Summary' });
    expect(screen.getByText('cancelled', { selector: '.status-line .badge' })).toBeTruthy();
    expect(screen.queryByText('error', { selector: '.badge' })).toBeNull();
    expect(section('Error')).toBeNull();
    expect(document.querySelector('.run-cancelled')?.textContent).toMatch(
      /^Cancelled by the admin\. The script was stopped/,
    );
    const llm = section('LLM exchanges') as HTMLElement;
    expect(llm.textContent).toContain('No answer: the run ended before the agent answered.');
    expect(llm.textContent).not.toMatch(/waiting/i);
    // It waited from the question to the run's end (12:00:01).
    expect(
      screen.getByText('Waited for the LLM', { selector: 'dt' }).nextElementSibling?.textContent,
    ).toMatch(/^1\.00 s/);
  });

  it('the connection log is a table in the order of the attempts, denials with their reason', async () => {
    renderPage(
      execution([
        connection({
          host: 'api.not-listed.test',
          port: 80,
          verdict: 'denied',
          reason: 'host is not in the allowlist',
          address: undefined,
          bytes_up: 0,
          bytes_down: 0,
          started_ms: 40,
          duration_ms: 0,
        }),
        connection({ started_ms: 10, bytes_down: 25_300 }),
      ]),
    );
    const log = await screen.findByRole('region', { name: 'Network connections' });
    expect(log.textContent).toContain('2 attempts, 1 denied');
    const rows = within(within(log).getByRole('table')).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.querySelector('th')?.textContent)).toEqual([
      'pypi.org:443',
      'api.not-listed.test:80',
    ]);
    expect(cells(rows[0] as HTMLElement)).toEqual([
      'allowed',
      '10 ms',
      '151.101.0.223',
      '100 B / 25 kB',
      '50 ms',
    ]);
    expect(rows[1]?.className).toBe('connection-denied');
    expect(cells(rows[1] as HTMLElement)[0]).toBe('deniedhost is not in the allowlist');
  });
});

describe('formatBytes and llmWaitMs', () => {
  it('bytes in the unit a person reads', () => {
    expect([0, 999, 1000, 9_950, 25_300, 1_250_000].map(formatBytes)).toEqual([
      '0 B',
      '999 B',
      '1.0 kB',
      '9.9 kB',
      '25 kB',
      '1.3 MB',
    ]);
  });

  it('the LLM wait adds each question’s wait; one still open counts up to now', () => {
    const now = Date.parse('2026-11-28T12:00:10Z');
    expect(llmWaitMs([], null, now)).toBeNull();
    expect(
      llmWaitMs(
        [
          { asked_at: '2026-11-28T12:00:00Z', answered_at: '2026-11-28T12:00:02Z' },
          { asked_at: '2026-11-28T12:00:07Z', answered_at: null },
        ],
        null,
        now,
      ),
    ).toBe(5000);
  });
});
