import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { profilesQuery } from '../api/queries/profiles';
import { requirementsQuery, useInstallRequirements } from '../api/queries/requirements';
import { ErrorMessage } from '../components/ErrorMessage';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { Time } from '../components/Time';
import { shortId } from '../lib/format';
import { UI } from '../paths';

const SHARED = 'shared';

export function RequirementsPage() {
  const q = useQuery(requirementsQuery());
  const profiles = useQuery(profilesQuery());
  const describe = (scope: string) =>
    profiles.data?.find((p) => p.id === scope)?.description || shortId(scope);
  return (
    <>
      <PageTitle title="Requirements" />
      <h1>Requirements</h1>
      <p className="lead">
        Python packages installed through Airlock. An agent’s install (
        <code>POST /requirements</code>, signed with a locked profile’s key) is importable by that
        profile’s scripts only; what you install here for every profile is shared. A profile’s own
        packages come first for its scripts. Installs run confined; their only network is the
        package index.
      </p>
      <InstallForm profiles={(profiles.data ?? []).filter((p) => !p.revoked)} describe={describe} />
      {q.isPending ? <Loading what="packages" /> : null}
      {q.isError ? <ErrorMessage error={q.error} title="Could not list packages" /> : null}
      {q.data?.packages.length === 0 ? (
        <p className="empty">
          No extra packages. Scripts have Python’s standard library and Debian’s python3 packages
          until something is installed.
        </p>
      ) : null}
      {q.data && q.data.packages.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Package</th>
              <th scope="col">For</th>
              <th scope="col">Requested as</th>
              <th scope="col">Version</th>
              <th scope="col">Installed</th>
            </tr>
          </thead>
          <tbody>
            {q.data.packages.map((p) => (
              <tr key={`${p.scope}/${p.name}`}>
                <th scope="row" className="mono">
                  {p.name}
                </th>
                <td>
                  {p.scope === SHARED ? (
                    'every profile'
                  ) : (
                    <Link to={UI.profile(p.scope)}>{describe(p.scope)}</Link>
                  )}
                </td>
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
      {q.data && q.data.failures.length > 0 ? (
        <section className="card" aria-labelledby="failures">
          <h2 id="failures">Recent failed installs</h2>
          <ol className="exchanges">
            {q.data.failures.map((f) => (
              <li key={`${f.at}-${f.packages.join(',')}`}>
                <p>
                  <Time iso={f.at} /> · <span className="mono">{f.packages.join(' ')}</span> for{' '}
                  {f.scope === SHARED ? 'every profile' : describe(f.scope)} · {f.reason}
                </p>
                <pre className="code">{f.output}</pre>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      {q.data ? (
        <details className="card">
          <summary>
            Debian’s python3 packages ({q.data.system.length}): every script imports these
          </summary>
          <p className="mono">{q.data.system.map((p) => `${p.name} ${p.version}`).join(' · ')}</p>
        </details>
      ) : null}
    </>
  );
}

function InstallForm({
  profiles,
  describe,
}: {
  profiles: Array<{ id: string }>;
  describe: (scope: string) => string;
}) {
  const install = useInstallRequirements();
  const [specs, setSpecs] = useState('');
  const [scope, setScope] = useState(SHARED);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const packages = specs.split(/[\s,]+/).filter(Boolean);
    if (packages.length === 0) return;
    install.mutate({ packages, scope }, { onSuccess: () => setSpecs('') });
  };
  return (
    <section className="card" aria-labelledby="install">
      <h2 id="install">Install packages</h2>
      <form onSubmit={submit} className="stack">
        <label>
          Packages (e.g. <span className="mono">pandas==2.2.*</span>{' '}
          <span className="mono">httpx</span>)
          <input
            className="mono"
            value={specs}
            onChange={(e) => setSpecs(e.target.value)}
            placeholder="requests==2.31.0"
          />
        </label>
        <label>
          For{' '}
          <select value={scope} onChange={(e) => setScope(e.target.value)}>
            <option value={SHARED}>every profile</option>
            {profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {describe(p.id)} only
              </option>
            ))}
          </select>
        </label>
        <div>
          <button type="submit" className="primary" disabled={install.isPending}>
            {install.isPending ? 'Installing…' : 'Install'}
          </button>
        </div>
        {install.isSuccess ? (
          <p role="status">
            Installed:{' '}
            {install.data.installed.map((p) => `${p.name} ${p.version}`).join(', ') ||
              'nothing new'}
          </p>
        ) : null}
        <ErrorMessage error={install.error} title="The install failed; nothing changed" />
      </form>
    </section>
  );
}
