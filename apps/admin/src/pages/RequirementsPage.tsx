import { useQuery } from '@tanstack/react-query';
import { requirementsQuery } from '../api/queries/requirements';
import { ErrorMessage } from '../components/ErrorMessage';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { Time } from '../components/Time';

export function RequirementsPage() {
  const q = useQuery(requirementsQuery());
  return (
    <>
      <PageTitle title="Requirements" />
      <h1>Requirements</h1>
      <p className="lead">
        Python packages installed for every script. Agents install them with{' '}
        <code>POST /requirements</code> and a locked profile’s key; installs run confined.
      </p>
      {q.isPending ? <Loading what="packages" /> : null}
      {q.isError ? <ErrorMessage error={q.error} title="Could not list packages" /> : null}
      {q.data?.length === 0 ? (
        <p className="empty">
          No extra packages. Scripts have Python’s standard library until an agent installs some.
        </p>
      ) : null}
      {q.data && q.data.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Package</th>
              <th scope="col">Requested as</th>
              <th scope="col">Version</th>
              <th scope="col">Installed</th>
            </tr>
          </thead>
          <tbody>
            {q.data.map((p) => (
              <tr key={p.name}>
                <th scope="row" className="mono">
                  {p.name}
                </th>
                <td className="mono">{p.spec}</td>
                <td className="mono">{p.version ?? 'unknown'}</td>
                <td>
                  <Time iso={p.installed_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
