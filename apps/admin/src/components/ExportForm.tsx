import { type FormEvent, useState } from 'react';
import { api } from '../api/client';
import { useSecretAction } from '../api/secret-action';
import { saveBlob } from '../lib/download';
import { MIN_PASSPHRASE_LENGTH, passphraseStrength, type Strength } from '../lib/validation';
import { ErrorMessage } from './ErrorMessage';
import { useNotify } from './Notices';

const STRENGTH_TEXT: Record<Strength, string> = {
  'too short': `Too short: use at least ${MIN_PASSPHRASE_LENGTH} characters.`,
  weak: 'Weak: anyone with the file can guess offline. Add words or length.',
  fair: 'Fair: longer is better, e.g. four or five unrelated words.',
  strong: 'Strong.',
};

/**
 * Export everything, encrypted under a passphrase typed twice. The fields stay uncontrolled;
 * only the strength verdict is React state.
 */
export function ExportForm({ save = saveBlob }: { save?: (blob: Blob, name: string) => void }) {
  const [strength, setStrength] = useState<Strength | undefined>();
  const [problem, setProblem] = useState<string>();
  const notify = useNotify();
  const exporter = useSecretAction((passphrase: string) => api.exportState(passphrase));
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const pass = String(f.get('passphrase') ?? '');
    const again = String(f.get('passphrase_again') ?? '');
    if (pass.length < MIN_PASSPHRASE_LENGTH) {
      setProblem(`Use at least ${MIN_PASSPHRASE_LENGTH} characters.`);
      return;
    }
    if (pass !== again) {
      setProblem('The two passphrases do not match.');
      return;
    }
    setProblem(undefined);
    const r = await exporter.run(pass);
    if (!r) return;
    save(r.blob, r.filename);
    form.reset();
    setStrength(undefined);
    notify.success(`Downloaded ${r.filename}. Keep the passphrase apart from the file.`);
  };
  return (
    <section className="card" aria-labelledby="export-title">
      <h2 id="export-title">Export</h2>
      <p>
        One encrypted file with every credential (values included), profile and key, for backup or
        moving to another Airlock. Without the passphrase it cannot be opened, by you either.
      </p>
      <form onSubmit={onSubmit} noValidate className="stack">
        <label htmlFor="export-passphrase">Passphrase</label>
        <input
          id="export-passphrase"
          name="passphrase"
          type="password"
          autoComplete="new-password"
          required
          aria-describedby="export-strength"
          onChange={(e) =>
            setStrength(
              e.currentTarget.value ? passphraseStrength(e.currentTarget.value) : undefined,
            )
          }
        />
        <p
          id="export-strength"
          className={`help strength-${strength ?? 'none'}`}
          aria-live="polite"
        >
          {strength ? STRENGTH_TEXT[strength] : `At least ${MIN_PASSPHRASE_LENGTH} characters.`}
        </p>
        <label htmlFor="export-passphrase-again">Repeat the passphrase</label>
        <input
          id="export-passphrase-again"
          name="passphrase_again"
          type="password"
          autoComplete="new-password"
          required
        />
        {problem ? (
          <p className="field-error" role="alert">
            {problem}
          </p>
        ) : null}
        <ErrorMessage error={exporter.error} />
        <button type="submit" className="primary" disabled={exporter.pending}>
          {exporter.pending ? 'Encrypting…' : 'Download export'}
        </button>
      </form>
    </section>
  );
}
