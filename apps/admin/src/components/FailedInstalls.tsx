import type { AdminRequirements } from '../api/types';
import { InstallerOutput, installFailureWords, splitInstallerDetail } from './InstallerOutput';
import { SHARED_SCOPE } from './InstallPackagesForm';
import { Time } from './Time';
import './Packages.css';

type Failure = AdminRequirements['failures'][number];

const WHO: Record<string, string> = {
  admin: 'the admin',
  profile: 'an agent with its profile key',
  agent: 'an agent',
  system: 'Airlock',
};

/** Recent failed installs, newest first: what, for whom, why, and pip's output to open. */
export function FailedInstalls({
  failures,
  profileName,
}: {
  failures: Failure[];
  profileName: (id: string) => string;
}) {
  if (failures.length === 0) return null;
  return (
    <section className="card" aria-labelledby="failures">
      <h2 id="failures">Recent failed installs</h2>
      <p className="help">Nothing of a failed install is importable; the output is redacted.</p>
      <ol className="failed-installs">
        {failures.map((f) => {
          const { output } = splitInstallerDetail(f.output);
          return (
            <li key={`${f.at}-${f.scope}-${f.packages.join(',')}`}>
              <p>
                <span className="mono">{f.packages.join(' ')}</span> for{' '}
                {f.scope === SHARED_SCOPE ? 'every profile' : profileName(f.scope)}, asked by{' '}
                {WHO[f.actor_type] ?? f.actor_type}: {installFailureWords(f.reason)}.
              </p>
              <p className="small muted">
                <Time iso={f.at} />
              </p>
              <InstallerOutput output={output} />
            </li>
          );
        })}
      </ol>
    </section>
  );
}
