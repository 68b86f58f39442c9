import { useState } from 'react';
import { Link } from 'react-router';
import type { AdminRequirements } from '../api/types';
import { UI } from '../paths';
import { SHARED_SCOPE } from './InstallPackagesForm';
import { TableBox } from './TableBox';
import { Time } from './Time';
import './Packages.css';

export type PackageSource = 'system' | 'shared' | 'profile';

/** One importable package, wherever it comes from. */
export interface PackageRow {
  name: string;
  version: string | null;
  source: PackageSource;
  /** The profile whose scripts alone import it (`source: 'profile'`). */
  profileId?: string;
  /** As requested (`pandas==2.2.*`); installed packages only. */
  spec?: string;
  installedAt?: string;
  /** The system's version of the same package, which this install takes the place of. */
  replacesSystem?: string;
}

/** PEP 503: `PyYAML`, `pyyaml` and `py_yaml` are one project. */
const normal = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

const ORDER: Record<PackageSource, number> = { profile: 0, shared: 1, system: 2 };

/**
 * Every package a script can import, in one list: the system interpreter's own, what was
 * installed for every profile, and what was installed for one profile. By name; for one name,
 * the one a script takes first comes first (a profile's own, then the shared one, then the
 * system's).
 */
export function importablePackages(data: AdminRequirements): PackageRow[] {
  const system = new Map(data.system.map((p) => [normal(p.name), p.version]));
  const rows: PackageRow[] = [
    ...data.system.map((p) => ({ name: p.name, version: p.version, source: 'system' as const })),
    ...data.packages.map((p) => {
      const replaces = system.get(normal(p.name));
      return {
        name: p.name,
        version: p.version,
        spec: p.spec,
        installedAt: p.installed_at,
        ...(p.scope === SHARED_SCOPE
          ? { source: 'shared' as const }
          : { source: 'profile' as const, profileId: p.scope }),
        ...(replaces === undefined ? {} : { replacesSystem: replaces }),
      };
    }),
  ];
  return rows.sort(
    (a, b) =>
      normal(a.name).localeCompare(normal(b.name)) ||
      ORDER[a.source] - ORDER[b.source] ||
      (a.profileId ?? '').localeCompare(b.profileId ?? ''),
  );
}

const SHOW: Record<'all' | 'system' | 'installed', string> = {
  all: 'Everything',
  installed: 'Installed through Airlock',
  system: 'System packages',
};
type Show = keyof typeof SHOW;

function matches(row: PackageRow, show: Show, text: string): boolean {
  if (show === 'system' && row.source !== 'system') return false;
  if (show === 'installed' && row.source === 'system') return false;
  return text === '' || normal(row.name).includes(normal(text));
}

function Source({ row, profileName }: { row: PackageRow; profileName: (id: string) => string }) {
  if (row.source === 'system') return <span className="badge package-source">system</span>;
  const id = row.profileId ?? '';
  return (
    <>
      <span className="package-for">
        {row.source === 'shared' ? (
          <>
            <span className="badge package-source package-source-shared">installed</span> every
            profile
          </>
        ) : (
          <>
            <span className="badge package-source package-source-profile">installed</span> only{' '}
            <Link to={UI.profile(id)}>{profileName(id)}</Link>
          </>
        )}
      </span>
      <span className="package-when small muted">
        as <span className="mono">{row.spec}</span>
        {row.installedAt ? (
          <>
            {' · '}
            <Time iso={row.installedAt} />
          </>
        ) : null}
      </span>
    </>
  );
}

/** The list, with a name search and a choice of sources. */
export function ImportablePackages({
  data,
  profileName,
}: {
  data: AdminRequirements;
  profileName: (id: string) => string;
}) {
  const [text, setText] = useState('');
  const [show, setShow] = useState<Show>('all');
  const rows = importablePackages(data);
  const shown = rows.filter((r) => matches(r, show, text.trim()));
  const installed = rows.length - data.system.length;
  return (
    <section aria-labelledby="importable">
      <h2 id="importable">What scripts can import</h2>
      <p>
        Besides Python’s standard library: {data.system.length} system packages (Debian’s python3
        ones, importable by every script without an install) and {installed} installed through
        Airlock. A profile’s own install comes first for its scripts, then the shared one, then the
        system’s.
      </p>
      <div className="package-tools">
        <div>
          <label htmlFor="pkg-find">Find a package</label>
          <input
            id="pkg-find"
            type="search"
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            placeholder="e.g. requests"
          />
        </div>
        <div>
          <label htmlFor="pkg-show">Show</label>
          <select
            id="pkg-show"
            value={show}
            onChange={(e) => setShow(e.currentTarget.value as Show)}
          >
            {Object.entries(SHOW).map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="muted" aria-live="polite">
        {shown.length === rows.length
          ? `${rows.length} packages`
          : `${shown.length} of ${rows.length} packages`}
      </p>
      {shown.length === 0 ? (
        <p className="empty">
          {rows.length === 0 ? 'No packages found.' : 'No package matches. Change the search.'}
        </p>
      ) : (
        <TableBox label="Importable packages">
          <table>
            <thead>
              <tr>
                <th scope="col">Package</th>
                <th scope="col">Version</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={`${r.source}/${r.profileId ?? ''}/${r.name}`}>
                  <th scope="row" className="mono">
                    {r.name}
                  </th>
                  <td className="mono">
                    {r.version ?? 'unknown'}
                    {r.replacesSystem ? (
                      <span className="small muted"> (system: {r.replacesSystem})</span>
                    ) : null}
                  </td>
                  <td>
                    <Source row={r} profileName={profileName} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
    </section>
  );
}
