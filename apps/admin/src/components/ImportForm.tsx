import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { api } from '../api/client';
import { useSecretAction } from '../api/secret-action';
import type { ImportPlan, ImportResult, ImportStrategy } from '../api/types';
import { ErrorMessage } from './ErrorMessage';
import { useNotify } from './Notices';
import { TableBox } from './TableBox';
import { Time } from './Time';

/** Reads a file as base64 (the `file` field of the import requests). */
export function readFileAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(new Error('Could not read the file.'));
    reader.onload = () => {
      const url = String(reader.result ?? '');
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.readAsDataURL(file);
  });
}

function Names({ names }: { names: string[] }) {
  if (names.length === 0) return <span className="muted">none</span>;
  return <span className="mono">{names.join(', ')}</span>;
}

export function PlanView({ plan }: { plan: ImportPlan }) {
  return (
    <div className="plan" data-testid="import-plan">
      <p>
        Exported <Time iso={plan.exported_at} />.
      </p>
      <TableBox label="What the file holds">
        <table>
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">New (will be added)</th>
              <th scope="col">Already here</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Credentials</th>
              <td>
                <Names names={plan.credentials.new} />
              </td>
              <td>
                <Names names={plan.credentials.duplicate} />
              </td>
            </tr>
            <tr>
              <th scope="row">Profiles</th>
              <td>
                <Names names={plan.profiles.new} />
              </td>
              <td>
                <Names names={plan.profiles.duplicate} />
              </td>
            </tr>
            <tr>
              <th scope="row">Packages</th>
              <td>
                <Names names={plan.requirements.new} />
              </td>
              <td>
                <Names names={plan.requirements.duplicate} />
              </td>
            </tr>
          </tbody>
        </table>
      </TableBox>
      {plan.profiles.conflicting_key.length > 0 ? (
        <p className="warning">
          These profiles’ key ids already belong to other profiles here and will be skipped:{' '}
          <Names names={plan.profiles.conflicting_key} />
        </p>
      ) : null}
    </div>
  );
}

/**
 * Import: choose the file, give its passphrase, preview what would change (nothing is written),
 * pick what happens to duplicates, then confirm. The passphrase stays in its field.
 */
export function ImportForm() {
  const qc = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [file, setFile] = useState<{ name: string; base64: string }>();
  const [readError, setReadError] = useState<unknown>(null);
  const [plan, setPlan] = useState<ImportPlan>();
  const [strategy, setStrategy] = useState<ImportStrategy>('skip');
  const notify = useNotify();
  // Focus goes back to it when the preview closes.
  const previewButton = useRef<HTMLButtonElement>(null);
  const preview = useSecretAction((b64: string, pass: string) => api.importPreview(b64, pass));
  // Everything may change: refetch every query but the session.
  const apply = useSecretAction(
    (b64: string, pass: string, s: ImportStrategy) => api.importApply(b64, pass, s),
    {
      invalidate: [['credentials'], ['profiles'], ['stats'], ['audit'], ['requirements']],
    },
  );
  const passphrase = () =>
    String(new FormData(formRef.current ?? undefined).get('passphrase') ?? '');

  const onPreview = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setPlan(undefined);
    if (!file) return;
    const r = await preview.run(file.base64, passphrase());
    if (r) setPlan(r);
  };
  const onApply = async () => {
    if (!file) return;
    const r = await apply.run(file.base64, passphrase(), strategy);
    if (!r) return;
    notify.success(importSummary(r));
    setPlan(undefined);
    setFile(undefined);
    formRef.current?.reset();
    void qc.invalidateQueries();
  };
  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">Import</h2>
      <p>Bring in an export from this or another Airlock. Keys in it keep working.</p>
      <form ref={formRef} onSubmit={onPreview} className="stack">
        <label htmlFor="import-file">Export file</label>
        <input
          id="import-file"
          name="file"
          type="file"
          // Not `required`: the preview button stays disabled until a file has been read.
          onChange={async (e) => {
            const f = e.currentTarget.files?.[0];
            setPlan(undefined);
            setReadError(null);
            if (!f) return setFile(undefined);
            try {
              setFile({ name: f.name, base64: await readFileAsBase64(f) });
            } catch (err) {
              setReadError(err);
            }
          }}
        />
        <label htmlFor="import-passphrase">Its passphrase</label>
        <input
          id="import-passphrase"
          name="passphrase"
          type="password"
          autoComplete="off"
          required
          onChange={() => setPlan(undefined)}
        />
        <ErrorMessage error={readError} />
        <ErrorMessage error={preview.error} title="Cannot import this file" />
        <button type="submit" ref={previewButton} disabled={!file || preview.pending}>
          {preview.pending ? 'Decrypting…' : 'Preview import'}
        </button>
      </form>
      {plan ? (
        <section className="confirm" aria-label="Import preview">
          <h3>What importing would change</h3>
          <PlanView plan={plan} />
          <fieldset>
            <legend>Items that already exist here</legend>
            <label className="check">
              <input
                type="radio"
                name="strategy"
                value="skip"
                checked={strategy === 'skip'}
                onChange={() => setStrategy('skip')}
              />
              Keep what is here (skip them)
            </label>
            <label className="check">
              <input
                type="radio"
                name="strategy"
                value="overwrite"
                checked={strategy === 'overwrite'}
                onChange={() => setStrategy('overwrite')}
              />
              Replace them with the file’s version (overwrite)
            </label>
          </fieldset>
          <ErrorMessage error={apply.error} title="Import failed; nothing was changed" />
          <div className="actions">
            <button type="button" className="primary" onClick={onApply} disabled={apply.pending}>
              {apply.pending ? 'Importing…' : 'Import now'}
            </button>
            <button
              type="button"
              onClick={() => {
                setPlan(undefined);
                previewButton.current?.focus();
              }}
            >
              Do not import
            </button>
          </div>
        </section>
      ) : null}
    </section>
  );
}

/** What an import did, in one sentence. */
function importSummary(r: ImportResult): string {
  const n = (count: number, what: string) => `${count} new ${what}${count === 1 ? '' : 's'}`;
  const how = r.strategy === 'skip' ? 'existing items kept' : 'existing items replaced';
  return `Imported (${how}): ${n(r.credentials.new.length, 'credential')}, ${n(r.profiles.new.length, 'profile')}.`;
}
