import { screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { renderWithApp } from '../../test/render';
import type { ExecutionDetail, NetworkRecord } from '../api/types';
import { ExecutionDetailPage } from './ExecutionDetailPage';

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
