import { type MouseEvent, useRef } from 'react';
import { Link, useNavigate } from 'react-router';
import type { ExecutionSummary } from '../api/types';
import { formatDuration } from '../lib/format';
import { UI } from '../paths';
import { ExecutionBadge } from './Badges';
import { RelativeTime } from './RelativeTime';
import { TableBox } from './TableBox';
import './ExecutionsTable.css';

/** What a row says the run was: its script's first line, or why there is none. */
export function runTitle(e: Pick<ExecutionSummary, 'script_first_line' | 'pruned_at'>): string {
  if (e.script_first_line !== null) return e.script_first_line;
  return e.pruned_at ? '(script removed by history retention)' : '(empty script)';
}

/**
 * Clicks anywhere on a row open the run, except on the row's own links and buttons or when the
 * reader is selecting text. The row's first cell holds a real link, so keyboard and screen
 * reader users (and middle-click) have the same way in.
 */
function openOnRowClick(e: MouseEvent<HTMLTableRowElement>, go: () => void): void {
  if (e.button !== 0 || e.defaultPrevented) return;
  if ((e.target as Element).closest('a, button, input, select, textarea, summary')) return;
  if ((window.getSelection()?.toString() ?? '') !== '') return;
  go();
}

/**
 * The executions table of the Executions page, the Overview and a profile's page: what the run
 * was (its script's first line, and its id), status (runs waiting for an LLM answer stand out),
 * profile (by its description; left out when `profileName` is not given, e.g. on a profile's
 * own page), when, duration, and optionally the last line of the error. Rows that appear while
 * it is shown are highlighted for a moment.
 */
export function ExecutionsTable({
  executions,
  profileName,
  showError = false,
  label = 'Executions',
}: {
  executions: ExecutionSummary[];
  profileName?: (profileId: string) => string;
  showError?: boolean;
  /** The name of the table's scrolling box, e.g. "Runs of this profile". */
  label?: string;
}) {
  const navigate = useNavigate();
  // The runs of the first rendering: any other row appeared while the reader was looking. A row
  // keeps its class; its highlight plays once, when the row mounts.
  const initial = useRef<ReadonlySet<string> | null>(null);
  initial.current ??= new Set(executions.map((e) => e.execution_id));
  const shownFirst = initial.current;
  return (
    <div className="executions-table">
      <TableBox label={label}>
        <table>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              {profileName ? (
                <th scope="col" className="col-optional">
                  Profile
                </th>
              ) : null}
              <th scope="col">When</th>
              <th scope="col">Duration</th>
              {showError ? (
                <th scope="col" className="col-optional">
                  Error
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {executions.map((e) => {
              const href = UI.execution(e.execution_id);
              const awaiting = e.status === 'awaiting_llm';
              const isNew = !shownFirst.has(e.execution_id);
              const classes = ['run-row', awaiting ? 'row-awaiting' : '', isNew ? 'row-new' : '']
                .filter(Boolean)
                .join(' ');
              return (
                // The row's first cell is a real link (the keyboard path); the click only widens
                // the mouse target.
                <tr
                  key={e.execution_id}
                  className={classes}
                  onClick={(ev) => openOnRowClick(ev, () => navigate(href))}
                >
                  <th scope="row">
                    <Link to={href} className="run-link">
                      <span className="run-line mono">{runTitle(e)}</span>
                      <span className="run-id mono">{e.execution_id}</span>
                    </Link>
                  </th>
                  <td>
                    <ExecutionBadge status={e.status} cancelled={e.cancelled} />
                    {awaiting ? (
                      <span className="run-note">waiting for the agent’s answer</span>
                    ) : null}
                  </td>
                  {profileName ? (
                    <td className="col-optional">
                      <Link to={UI.profile(e.profile_id)}>{profileName(e.profile_id)}</Link>
                    </td>
                  ) : null}
                  <td className="nowrap">
                    <RelativeTime iso={e.started_at ?? e.created_at} />
                  </td>
                  <td className="nowrap">{formatDuration(e.execution_time_ms)}</td>
                  {showError ? (
                    <td className={`col-optional truncate ${e.cancelled ? 'muted' : 'run-error'}`}>
                      {e.error_summary ?? ''}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableBox>
    </div>
  );
}
