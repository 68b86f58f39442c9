import { Link } from 'react-router';
import type { ExecutionSummary } from '../api/types';
import { formatDuration } from '../lib/format';
import { UI } from '../paths';
import { ExecutionBadge } from './Badges';
import { Time } from './Time';

/**
 * The executions table of the Executions page and the Overview: id, status, profile (by its
 * description), start, duration, and optionally the last line of the error.
 */
export function ExecutionsTable({
  executions,
  profileName,
  showError = false,
}: {
  executions: ExecutionSummary[];
  profileName: (profileId: string) => string;
  showError?: boolean;
}) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Execution</th>
          <th scope="col">Status</th>
          <th scope="col">Profile</th>
          <th scope="col">Started</th>
          <th scope="col">Duration</th>
          {showError ? <th scope="col">Error</th> : null}
        </tr>
      </thead>
      <tbody>
        {executions.map((e) => (
          <tr key={e.execution_id}>
            <th scope="row">
              <Link className="mono small" to={UI.execution(e.execution_id)}>
                {e.execution_id}
              </Link>
            </th>
            <td>
              <ExecutionBadge status={e.status} />
            </td>
            <td>
              <Link to={UI.profile(e.profile_id)}>{profileName(e.profile_id)}</Link>
            </td>
            <td>
              <Time iso={e.started_at ?? e.created_at} />
            </td>
            <td>{formatDuration(e.execution_time_ms)}</td>
            {showError ? <td className="truncate">{e.error_summary ?? ''}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
