import { type FormEvent, useState } from 'react';
import { isApiError } from '../api/client';
import { useInstallRequirements } from '../api/queries/requirements';
import type { InstallRequirementsInput } from '../api/types';
import { ErrorMessage } from './ErrorMessage';
import { InstallerOutput, installFailureWords, splitInstallerDetail } from './InstallerOutput';
import { useNotify } from './Notices';
import { useNow } from './RelativeTime';
import './Packages.css';

export const SHARED_SCOPE = 'shared';

/** `pandas==2.2.*, httpx` → `['pandas==2.2.*', 'httpx']` (commas or white space between). */
export function parseSpecs(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** While pip runs: a progress bar and how long so far (the words are in the form's status). */
function InstallProgress({ startedAt }: { startedAt: number }) {
  const seconds = Math.max(0, Math.floor((useNow() - startedAt) / 1000));
  return (
    <div className="install-progress">
      <progress aria-label="Installing">Installing</progress>
      <span className="muted">{seconds} s</span>
      <span className="help">
        pip runs confined, one install at a time; a large package can take a few minutes.
      </span>
    </div>
  );
}

/** A failed install: the server's summary, then pip's output (redacted) to open. */
function InstallFailure({ error }: { error: unknown }) {
  if (!isApiError(error) || typeof error.detail !== 'string') {
    return <ErrorMessage error={error} title="The install failed; nothing changed" />;
  }
  const { reason, output } = splitInstallerDetail(error.detail);
  if (reason === undefined)
    return <ErrorMessage error={error} title="The install failed; nothing changed" />;
  return (
    <div className="error" role="alert">
      <div className="error-body">
        <strong className="error-title">The install failed; nothing changed</strong>
        <p>The installer’s verdict: {installFailureWords(reason)}.</p>
        <InstallerOutput output={output} open />
      </div>
    </div>
  );
}

/**
 * The admin's install: package specs for every profile (shared) or one profile's scripts only,
 * through the same confined installer and validation as an agent's, recorded in the audit log.
 */
export function InstallPackagesForm({
  profiles,
}: {
  profiles: Array<{ id: string; name: string }>;
}) {
  const install = useInstallRequirements();
  const notify = useNotify();
  const [specs, setSpecs] = useState('');
  const [scope, setScope] = useState(SHARED_SCOPE);
  const [running, setRunning] = useState<{ at: number; what: string }>();
  const [problem, setProblem] = useState<string>();
  const scopeName = (s: string) =>
    s === SHARED_SCOPE ? 'every profile' : `profile ${profiles.find((p) => p.id === s)?.name ?? s}`;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const packages = parseSpecs(specs);
    if (packages.length === 0) {
      setProblem('Name at least one package, e.g. httpx or pandas==2.2.*');
      return;
    }
    setProblem(undefined);
    const input: InstallRequirementsInput = { packages, scope };
    setRunning({ at: Date.now(), what: `${packages.join(' ')} for ${scopeName(scope)}` });
    install.mutate(input, {
      onSuccess: (r) => {
        setSpecs('');
        const what = r.installed.map((p) => `${p.name} ${p.version}`).join(', ');
        notify.success(`Installed for ${scopeName(scope)}: ${what || 'nothing new'}.`);
      },
      onSettled: () => setRunning(undefined),
    });
  };
  return (
    <section className="card" aria-labelledby="install">
      <h2 id="install">Install packages</h2>
      <form onSubmit={submit} className="stack" noValidate>
        <label htmlFor="install-specs">
          Packages (e.g. <span className="mono">pandas==2.2.*</span>{' '}
          <span className="mono">httpx</span>)
        </label>
        <input
          id="install-specs"
          className="mono"
          value={specs}
          onChange={(e) => setSpecs(e.target.value)}
          placeholder="requests==2.31.0"
          aria-invalid={problem ? true : undefined}
          aria-describedby="install-specs-help"
          disabled={install.isPending}
        />
        <p id="install-specs-help" className={problem ? 'field-error' : 'help'}>
          {problem ?? 'Separate several with spaces or commas. Pinned versions install exactly.'}
        </p>
        <label htmlFor="install-scope">For</label>
        <select
          id="install-scope"
          value={scope}
          onChange={(e) => setScope(e.target.value)}
          disabled={install.isPending}
        >
          <option value={SHARED_SCOPE}>every profile</option>
          {profiles.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} only
            </option>
          ))}
        </select>
        <div>
          <button type="submit" className="primary" disabled={install.isPending}>
            {install.isPending ? 'Installing…' : 'Install'}
          </button>
        </div>
        {/* Always there, so that screen readers announce its words when they change. */}
        <p role="status" className="install-status">
          {running ? `Installing ${running.what}…` : ''}
        </p>
        {running ? <InstallProgress startedAt={running.at} /> : null}
        {install.isError ? <InstallFailure error={install.error} /> : null}
      </form>
    </section>
  );
}
