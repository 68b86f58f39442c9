import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes, useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import { run } from '../../test/fixtures';
import { renderWithApp } from '../../test/render';
import type { ExecutionSummary } from '../api/types';
import { ExecutionsTable, runTitle } from './ExecutionsTable';

function Where() {
  return <p data-testid="where">{useLocation().pathname}</p>;
}

function renderTable(executions: ExecutionSummary[]) {
  return renderWithApp(
    <Routes>
      <Route
        path="/ui/executions"
        element={
          <ExecutionsTable executions={executions} profileName={() => 'Billing agent'} showError />
        }
      />
      <Route path="*" element={<Where />} />
    </Routes>,
    '/ui/executions',
  );
}

describe('<ExecutionsTable>', () => {
  it('says what each run was: the first line of its script, and its id, as one real link', () => {
    renderTable([run()]);
    const link = screen.getByRole('link', { name: /import json/ });
    expect(link.getAttribute('href')).toBe('/ui/executions/exec_00000000000000000000000000000001');
    expect(link.textContent).toBe('import jsonexec_00000000000000000000000000000001');
  });

  it('names a run without a first line by why it has none', () => {
    expect(runTitle({ script_first_line: null, pruned_at: null })).toBe('(empty script)');
    expect(runTitle({ script_first_line: null, pruned_at: '2026-11-29T00:00:00Z' })).toBe(
      '(script removed by history retention)',
    );
  });

  it('a click anywhere on the row opens the run; the row’s other links keep their own target', async () => {
    const user = userEvent.setup();
    renderTable([run()]);
    const row = screen.getByRole('row', { name: /import json/ });
    await user.click(within(row).getByText('1.23 s'));
    expect(screen.getByTestId('where').textContent).toBe(
      '/ui/executions/exec_00000000000000000000000000000001',
    );
  });

  it('the profile link in a row goes to the profile, not the run', async () => {
    const user = userEvent.setup();
    renderTable([run()]);
    await user.click(screen.getByRole('link', { name: 'Billing agent' }));
    expect(screen.getByTestId('where').textContent).toBe('/ui/profiles/p1');
  });

  it('the keyboard reaches each run through its link', async () => {
    const user = userEvent.setup();
    renderTable([run()]);
    // The table's scrolling box first (to scroll it by keyboard), then the run's link.
    await user.tab();
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Executions');
    await user.tab();
    expect(document.activeElement?.textContent).toContain('import json');
    await user.keyboard('{Enter}');
    expect(screen.getByTestId('where').textContent).toBe(
      '/ui/executions/exec_00000000000000000000000000000001',
    );
  });

  it('highlights runs waiting for the LLM and shows a cancelled run as cancelled, not as an error', () => {
    renderTable([
      run({ execution_id: 'exec_a', status: 'awaiting_llm', script_first_line: 'ask()' }),
      run({
        execution_id: 'exec_b',
        status: 'error',
        cancelled: true,
        error_summary: 'cancelled by the admin',
        script_first_line: 'slow()',
      }),
      run({
        execution_id: 'exec_c',
        status: 'error',
        error_summary: 'ValueError: no',
        script_first_line: 'fail()',
      }),
    ]);
    const waiting = screen.getByRole('row', { name: /ask\(\)/ });
    expect(waiting.className).toContain('row-awaiting');
    expect(within(waiting).getByText('awaiting LLM')).toBeTruthy();
    expect(within(waiting).getByText('waiting for the agent’s answer')).toBeTruthy();

    const cancelled = screen.getByRole('row', { name: /slow\(\)/ });
    expect(within(cancelled).getByText('cancelled').className).toContain('badge-exec-cancelled');
    expect(within(cancelled).queryByText('error')).toBeNull();
    expect(within(cancelled).getByText('cancelled by the admin').className).not.toContain(
      'run-error',
    );
    const failed = screen.getByRole('row', { name: /fail\(\)/ });
    expect(within(failed).getByText('error').className).toContain('badge-exec-error');
    expect(within(failed).getByText('ValueError: no').className).toContain('run-error');
    expect(screen.getAllByRole('row').filter((r) => r.className.includes('row-awaiting'))).toEqual([
      waiting,
    ]);
  });

  it('shows when a run started as a relative time, with the exact time in its tooltip', () => {
    renderTable([run({ started_at: new Date(Date.now() - 12_000).toISOString() })]);
    const time = screen.getByText(/^1[23] s ago$/);
    expect(time.tagName).toBe('TIME');
    expect(time.getAttribute('title')).toMatch(/\d{2}:\d{2}:\d{2}/);
  });
});
