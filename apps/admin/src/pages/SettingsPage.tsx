import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client';
import { sessionQuery } from '../api/queries/session';
import { useSecretAction } from '../api/secret-action';
import { EgressCaSection } from '../components/EgressCaSection';
import { ErrorMessage } from '../components/ErrorMessage';
import { ExportForm } from '../components/ExportForm';
import { ImportForm } from '../components/ImportForm';
import { NewPasswordFields } from '../components/NewPasswordFields';
import { useNotify } from '../components/Notices';
import { PageTitle } from '../components/PageTitle';
import { newPasswordProblem } from '../lib/validation';

export function SettingsPage() {
  return (
    <>
      <PageTitle title="Settings" />
      <h1>Settings</h1>
      <ChangePasswordForm />
      <ExportForm />
      <ImportForm />
      <EgressCaSection />
    </>
  );
}

export function ChangePasswordForm() {
  const qc = useQueryClient();
  const notify = useNotify();
  const [problem, setProblem] = useState<string>();
  const change = useSecretAction((current: string, next: string) =>
    api.changePassword(current, next),
  );
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const next = String(f.get('new_password') ?? '');
    const p = newPasswordProblem(next, String(f.get('confirm_password') ?? ''));
    setProblem(p);
    if (p) return;
    const r = await change.run(String(f.get('current_password') ?? ''), next);
    if (!r) return;
    form.reset();
    // Every other session ended; this browser got a fresh one in the cookie.
    await qc.fetchQuery({ ...sessionQuery(), staleTime: 0 });
    notify.success('Password changed. Other browsers and tokens were logged out.');
  };
  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Admin password</h2>
      <form onSubmit={onSubmit} onChange={() => setProblem(undefined)} noValidate className="stack">
        <label htmlFor="current_password">Current password</label>
        <input
          id="current_password"
          name="current_password"
          type="password"
          autoComplete="current-password"
          required
        />
        <NewPasswordFields />
        {problem ? (
          <p className="field-error" role="alert">
            {problem}
          </p>
        ) : null}
        <ErrorMessage error={change.error} />
        <button type="submit" className="primary" disabled={change.pending}>
          {change.pending ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}
