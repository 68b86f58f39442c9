import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { api } from '../api/client';
import { adminStatusQuery, sessionQuery } from '../api/queries/session';
import { useSecretAction } from '../api/secret-action';
import { ErrorMessage } from '../components/ErrorMessage';
import { Loading } from '../components/Loading';
import { NewPasswordFields } from '../components/NewPasswordFields';
import { PageTitle } from '../components/PageTitle';
import { newPasswordProblem } from '../lib/validation';
import { UI } from '../paths';

/** First visit: claim this Airlock with the one-time setup code and choose the admin password. */
export function SetupPage() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const status = useQuery(adminStatusQuery());
  const [problem, setProblem] = useState<string>();
  const setup = useSecretAction((code: string, password: string) => api.setup(code, password), {
    authRequired: false,
  });

  if (status.isPending) return <Loading what="setup status" />;
  if (status.isError)
    return (
      <main className="narrow">
        <h1>Set up Airlock</h1>
        <ErrorMessage error={status.error} />
      </main>
    );
  if (!status.data.setup_required) return <Navigate to={UI.login} replace />;

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const code = String(f.get('setup_code') ?? '').trim();
    const password = String(f.get('new_password') ?? '');
    const p = newPasswordProblem(password, String(f.get('confirm_password') ?? ''));
    setProblem(p);
    if (p) return;
    const r = await setup.run(code, password);
    if (!r) return;
    // The server set the session cookie; learn that before entering the gated pages.
    await qc.fetchQuery({ ...adminStatusQuery(), staleTime: 0 });
    await qc.fetchQuery({ ...sessionQuery(), staleTime: 0 });
    navigate(UI.overview, { replace: true });
  };

  return (
    <main className="narrow auth-page">
      <PageTitle title="Set up" />
      <h1>Set up Airlock</h1>
      <p>
        This Airlock has no admin yet. To prove you run this server, enter the one-time setup code
        it printed to its log when it started.
      </p>
      {status.data.setup_code_file ? (
        <p className="note">
          The code is also in the file <code>{status.data.setup_code_file}</code> inside Airlock’s
          data directory on the server (readable only by the user Airlock runs as), e.g.{' '}
          <code>cat ./data/{status.data.setup_code_file}</code>.
        </p>
      ) : (
        <p className="note">Look for “Setup code” in the server’s log output.</p>
      )}
      <form onSubmit={onSubmit} onChange={() => setProblem(undefined)} noValidate>
        <label htmlFor="setup_code">Setup code</label>
        <input
          id="setup_code"
          name="setup_code"
          required
          autoComplete="off"
          spellCheck={false}
          className="mono"
        />
        <NewPasswordFields label="Admin password" />
        {problem ? (
          <p className="field-error" role="alert">
            {problem}
          </p>
        ) : null}
        <ErrorMessage error={setup.error} />
        <button type="submit" className="primary" disabled={setup.pending}>
          {setup.pending ? 'Setting up…' : 'Create admin and log in'}
        </button>
      </form>
    </main>
  );
}
