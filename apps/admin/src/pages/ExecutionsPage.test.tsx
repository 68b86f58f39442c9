import { focusManager } from '@tanstack/react-query';
import { act, screen } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { run } from '../../test/fixtures';
import { renderWithApp } from '../../test/render';
import { LIST_REFRESH_MS } from '../api/queries/executions';
import type { ExecutionSummary } from '../api/types';
import { ExecutionsPage } from './ExecutionsPage';

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  focusManager.setFocused(undefined);
});

/** The server's list: what `runs` holds when it is asked. */
function serve(runs: { current: ExecutionSummary[] }) {
  const f = fakeFetch({
    'GET /api/admin/executions': () =>
      json(200, { executions: runs.current, total: runs.current.length }),
    'GET /api/admin/profiles': json(200, { profiles: [] }),
  });
  renderWithApp(
    <Routes>
      <Route path="/ui/executions" element={<ExecutionsPage />} />
    </Routes>,
    '/ui/executions',
  );
  return () => f.calls.filter((c) => c.path === '/api/admin/executions').length;
}

const older = run({ execution_id: 'exec_old', script_first_line: 'print("old")' });
const newer = run({
  execution_id: 'exec_new',
  status: 'running',
  script_first_line: 'print("new")',
  completed_at: null,
  execution_time_ms: null,
});

describe('executions list: live', () => {
  it('a new run appears by itself, without a reload, marked as new', async () => {
    const runs = { current: [older] };
    serve(runs);
    expect(await screen.findByRole('link', { name: /print\("old"\)/ })).toBeTruthy();
    expect(screen.getByRole('row', { name: /print\("old"\)/ }).className).not.toContain('row-new');

    runs.current = [newer, older];
    await act(() => vi.advanceTimersByTimeAsync(LIST_REFRESH_MS.idle));
    const row = await screen.findByRole('row', { name: /print\("new"\)/ });
    expect(row.className).toContain('row-new');
    expect(screen.getByRole('row', { name: /print\("old"\)/ }).className).not.toContain('row-new');
  });

  it('refreshes faster while a listed run is still moving, and not at all while the page is hidden', async () => {
    const runs = { current: [newer] };
    const calls = serve(runs);
    await screen.findByRole('link', { name: /print\("new"\)/ });
    const first = calls();
    await act(() => vi.advanceTimersByTimeAsync(LIST_REFRESH_MS.moving));
    expect(calls()).toBe(first + 1);

    // A hidden tab: TanStack pauses interval refetches.
    act(() => focusManager.setFocused(false));
    const hidden = calls();
    await act(() => vi.advanceTimersByTimeAsync(LIST_REFRESH_MS.idle * 3));
    expect(calls()).toBe(hidden);

    // Visible again, the list is refetched and goes on refreshing.
    runs.current = [{ ...newer, status: 'completed', execution_time_ms: 900 }];
    act(() => focusManager.setFocused(true));
    await act(() => vi.advanceTimersByTimeAsync(LIST_REFRESH_MS.idle));
    expect(calls()).toBeGreaterThan(hidden);
    expect(await screen.findByText('completed', { selector: '.badge' })).toBeTruthy();
  });
});
