import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type MouseEvent, useRef, useState } from 'react';
import { Link } from 'react-router';
import {
  credentialsQuery,
  useClearCredentialValue,
  useCreateCredential,
  useDeleteCredential,
  useSetCredentialValue,
  useUpdateCredentialDelivery,
  useUpdateCredentialDescription,
} from '../api/queries/credentials';
import { profilesQuery } from '../api/queries/profiles';
import type { AdminCredential, CredentialDelivery } from '../api/types';
import { AgentMark } from '../components/AgentMark';
import { DeliveryBadge, ValueBadge } from '../components/Badges';
import { Confirm } from '../components/Confirm';
import { ErrorMessage } from '../components/ErrorMessage';
import { Loading } from '../components/Loading';
import { useNotify } from '../components/Notices';
import { PageTitle } from '../components/PageTitle';
import { SecretValueInput } from '../components/SecretValueInput';
import { TableBox } from '../components/TableBox';
import { Time } from '../components/Time';
import { shortId } from '../lib/format';
import {
  brokerHostsProblem,
  credentialNameProblem,
  hostLines,
  MAX_BROKER_HOSTS,
} from '../lib/validation';
import { UI } from '../paths';

export function CredentialsPage() {
  const list = useQuery(credentialsQuery());
  const profiles = useQuery(profilesQuery());
  const profileName = (id: string) =>
    profiles.data?.find((p) => p.id === id)?.description || shortId(id);
  return (
    <>
      <PageTitle title="Credentials" />
      <h1>Credentials</h1>
      <p className="lead">
        Secrets your agents’ scripts can use without ever seeing them. Values are entered only here;
        agents may create empty slots that wait for you.
      </p>
      <CreateCredentialForm />
      <h2>All credentials</h2>
      {list.isPending ? <Loading what="credentials" /> : null}
      {list.isError ? <ErrorMessage error={list.error} title="Could not load credentials" /> : null}
      {list.data?.length === 0 ? (
        <p className="empty">No credentials yet. Create one above, e.g. STRIPE_API_KEY.</p>
      ) : null}
      {list.data && list.data.length > 0 ? (
        <TableBox label="All credentials">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Value</th>
                <th scope="col">Delivery</th>
                <th scope="col">Used by</th>
                <th scope="col">Value updated</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((c) => (
                <CredentialRow key={c.name} credential={c} profileName={profileName} />
              ))}
            </tbody>
          </table>
        </TableBox>
      ) : null}
    </>
  );
}

export function CreateCredentialForm() {
  const create = useCreateCredential();
  const notify = useNotify();
  const [problem, setProblem] = useState<string>();
  const [mode, setMode] = useState<DeliveryMode>('inject');
  const [hosts, setHosts] = useState('');
  const [hostsProblem, setHostsProblem] = useState<string>();
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const name = String(f.get('name') ?? '').trim();
    const description = String(f.get('description') ?? '');
    const value = String(f.get('value') ?? '');
    const p = credentialNameProblem(name);
    const d = readDelivery(mode, hosts);
    setProblem(p);
    setHostsProblem(d.ok ? undefined : d.problem);
    if (p || !d.ok) return;
    const r = await create.run({
      name,
      description,
      ...(value ? { value } : {}),
      // Absent means inject, the server's default.
      ...(d.delivery.mode === 'broker' ? { delivery: d.delivery } : {}),
    });
    if (r) {
      form.reset();
      setMode('inject');
      setHosts('');
      notify.success(`Created ${r.name}${r.has_value ? ' with its value' : ' (no value yet)'}.`);
    }
  };
  return (
    <section className="card" aria-labelledby="new-credential">
      <h2 id="new-credential">New credential</h2>
      <form onSubmit={onSubmit} noValidate className="grid-form">
        <div>
          <label htmlFor="cred-name">Name</label>
          <input
            id="cred-name"
            name="name"
            className="mono"
            required
            maxLength={128}
            placeholder="STRIPE_API_KEY"
            autoComplete="off"
            aria-invalid={problem ? true : undefined}
            aria-describedby="cred-name-help"
          />
          <p id="cred-name-help" className={problem ? 'field-error' : 'help'} role="status">
            {problem ?? 'Letters, digits and _; scripts read it as settings["NAME"].'}
          </p>
        </div>
        <div>
          <label htmlFor="cred-description">Description</label>
          <input id="cred-description" name="description" maxLength={2000} />
        </div>
        <div>
          <SecretValueInput label="Value (optional)" />
        </div>
        <div className="span-all">
          <DeliveryFields
            idPrefix="new-cred"
            mode={mode}
            onMode={setMode}
            hosts={hosts}
            onHosts={setHosts}
            problem={hostsProblem}
          />
        </div>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={create.pending}>
            {create.pending ? 'Creating…' : 'Create credential'}
          </button>
        </div>
      </form>
      <ErrorMessage error={create.error} />
    </section>
  );
}

/** What a row has open: a form under it, or a confirmation dialog. */
type Panel = 'none' | 'value' | 'description' | 'delivery' | 'clear' | 'delete';

function CredentialRow({
  credential: c,
  profileName,
}: {
  credential: AdminCredential;
  profileName: (id: string) => string;
}) {
  const [panel, setPanel] = useState<Panel>('none');
  // The button that opened the form under the row: focus goes back to it when the form closes.
  const opener = useRef<HTMLElement | null>(null);
  const open = (p: Panel) => (e: MouseEvent<HTMLButtonElement>) => {
    opener.current = e.currentTarget;
    setPanel(p);
  };
  const closeForm = () => {
    setPanel('none');
    opener.current?.focus();
  };
  // Dialogs give focus back by themselves (see Confirm).
  const closeDialog = () => setPanel('none');
  return (
    <>
      <tr>
        <th scope="row">
          <span className="mono">{c.name}</span> <AgentMark createdBy={c.created_by} />
        </th>
        <td>{c.description || <span className="muted">—</span>}</td>
        <td>
          <ValueBadge hasValue={c.has_value} redactable={c.redactable} />
        </td>
        <td>
          <DeliveryBadge delivery={c.delivery} />
        </td>
        <td>
          {c.used_by.length === 0 ? (
            <span className="muted">no profile</span>
          ) : (
            <ul className="inline-list">
              {c.used_by.map((u) => (
                <li key={u.profile_id}>
                  <Link to={UI.profile(u.profile_id)}>{profileName(u.profile_id)}</Link>
                  {u.revoked ? ' (revoked)' : u.locked ? ' (locked)' : ''}
                </li>
              ))}
            </ul>
          )}
        </td>
        <td className="nowrap">
          <Time iso={c.value_updated_at} />
        </td>
        <td>
          <div className="row-actions">
            <button
              type="button"
              onClick={open('value')}
              aria-label={`${c.has_value ? 'Rotate' : 'Set'} value of ${c.name}`}
            >
              {c.has_value ? 'Rotate value' : 'Set value'}
            </button>
            <button
              type="button"
              onClick={open('description')}
              aria-label={`Edit description of ${c.name}`}
            >
              Edit
            </button>
            <button
              type="button"
              onClick={open('delivery')}
              aria-label={`Change delivery of ${c.name}`}
            >
              Delivery
            </button>
            {c.has_value ? (
              <button type="button" onClick={open('clear')} aria-label={`Clear value of ${c.name}`}>
                Clear
              </button>
            ) : null}
            <button
              type="button"
              className="danger-link"
              onClick={open('delete')}
              aria-label={`Delete ${c.name}`}
            >
              Delete
            </button>
          </div>
        </td>
      </tr>
      {panel === 'value' || panel === 'description' || panel === 'delivery' ? (
        <tr className="panel-row">
          <td colSpan={7}>
            {panel === 'value' ? (
              <SetValueForm credential={c} onDone={closeForm} />
            ) : panel === 'description' ? (
              <DescriptionForm credential={c} onDone={closeForm} />
            ) : (
              <DeliveryForm credential={c} onDone={closeForm} />
            )}
          </td>
        </tr>
      ) : null}
      {panel === 'clear' ? <ClearValue credential={c} onDone={closeDialog} /> : null}
      {panel === 'delete' ? <DeleteCredential credential={c} onDone={closeDialog} /> : null}
    </>
  );
}

export function SetValueForm({
  credential: c,
  onDone,
}: {
  credential: Pick<AdminCredential, 'name' | 'has_value'>;
  onDone: () => void;
}) {
  const set = useSetCredentialValue();
  const notify = useNotify();
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const value = String(new FormData(form).get('value') ?? '');
    if (!value) return;
    const r = await set.run(c.name, value);
    if (r) {
      form.reset();
      notify.success(`${c.has_value ? 'New value' : 'Value'} of ${c.name} saved.`);
      onDone();
    }
  };
  return (
    <form onSubmit={onSubmit} className="inline-form" aria-label={`Value of ${c.name}`}>
      <SecretValueInput
        label={`${c.has_value ? 'New' : ''} value for ${c.name}`}
        required
        autoFocus
      />
      {c.has_value ? (
        <p className="help">Rotating replaces the value at once for every profile using it.</p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={set.pending}>
          {set.pending ? 'Saving…' : 'Save value'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      <ErrorMessage error={set.error} />
    </form>
  );
}

function DescriptionForm({
  credential: c,
  onDone,
}: {
  credential: AdminCredential;
  onDone: () => void;
}) {
  const update = useUpdateCredentialDescription();
  const notify = useNotify();
  const [description, setDescription] = useState(c.description);
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate(
          { name: c.name, description },
          {
            onSuccess: () => {
              notify.success(`Description of ${c.name} saved.`);
              onDone();
            },
          },
        );
      }}
    >
      <label htmlFor={`desc-${c.name}`}>Description of {c.name}</label>
      <input
        id={`desc-${c.name}`}
        value={description}
        maxLength={2000}
        onChange={(e) => setDescription(e.currentTarget.value)}
        // biome-ignore lint/a11y/noAutofocus: the field appears because the user asked to edit it
        autoFocus
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={update.isPending}>
          Save description
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      <ErrorMessage error={update.error} />
    </form>
  );
}

type DeliveryMode = CredentialDelivery['mode'];

/** The delivery the fields describe, or why they do not describe one (checked lightly). */
function readDelivery(
  mode: DeliveryMode,
  hostsText: string,
): { ok: true; delivery: CredentialDelivery } | { ok: false; problem: string } {
  if (mode === 'inject') return { ok: true, delivery: { mode: 'inject' } };
  const hosts = hostLines(hostsText);
  const problem = brokerHostsProblem(hosts);
  return problem ? { ok: false, problem } : { ok: true, delivery: { mode: 'broker', hosts } };
}

/** Inject or broker, and a broker's hosts: the same fields when creating and when changing. */
function DeliveryFields({
  idPrefix,
  name,
  mode,
  onMode,
  hosts,
  onHosts,
  problem,
}: {
  idPrefix: string;
  /** The credential's name, once it has one. */
  name?: string;
  mode: DeliveryMode;
  onMode: (m: DeliveryMode) => void;
  hosts: string;
  onHosts: (text: string) => void;
  problem: string | undefined;
}) {
  // No `NAME` stand-in before there is a name: these labels would then also match the Name
  // field's label (the browser journey finds fields by label).
  const setting = name ? <span className="mono">settings["{name}"]</span> : 'settings';
  return (
    <fieldset>
      <legend>How scripts get {name ?? 'it'}</legend>
      <label className="check">
        <input
          type="radio"
          name={`${idPrefix}-delivery`}
          value="inject"
          checked={mode === 'inject'}
          onChange={() => onMode('inject')}
        />
        {/* One element next to the radio: label.check lays out its children as flex items. */}
        <span>Inject: scripts read the value in {setting} (masked in their output)</span>
      </label>
      <label className="check">
        <input
          type="radio"
          name={`${idPrefix}-delivery`}
          value="broker"
          checked={mode === 'broker'}
          onChange={() => onMode('broker')}
        />
        <span>
          Broker: scripts get a placeholder in {setting}; Airlock puts the value into HTTP requests
          to the hosts below only, and it never enters the sandbox
        </span>
      </label>
      {mode === 'broker' ? (
        <>
          <label htmlFor={`${idPrefix}-hosts`}>Hosts that receive the value, one per line</label>
          <textarea
            id={`${idPrefix}-hosts`}
            rows={3}
            className="mono"
            value={hosts}
            placeholder="api.stripe.com"
            onChange={(e) => onHosts(e.currentTarget.value)}
            aria-invalid={problem ? true : undefined}
            aria-describedby={`${idPrefix}-hosts-help`}
          />
          <p
            id={`${idPrefix}-hosts-help`}
            className={problem ? 'field-error' : 'help'}
            role="status"
          >
            {problem ??
              `A name like api.stripe.com or *.example.com, optionally with ports (:8443; none means 443 and 80), at most ${MAX_BROKER_HOSTS}. Each profile using this credential must allow these hosts in its network policy, or it cannot be locked.`}
          </p>
        </>
      ) : null}
    </fieldset>
  );
}

function DeliveryForm({
  credential: c,
  onDone,
}: {
  credential: AdminCredential;
  onDone: () => void;
}) {
  const update = useUpdateCredentialDelivery();
  const notify = useNotify();
  const [mode, setMode] = useState<DeliveryMode>(c.delivery.mode);
  const [hosts, setHosts] = useState((c.delivery.hosts ?? []).join('\n'));
  const [problem, setProblem] = useState<string>();
  return (
    <form
      className="inline-form"
      aria-label={`Delivery of ${c.name}`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const d = readDelivery(mode, hosts);
        setProblem(d.ok ? undefined : d.problem);
        if (!d.ok) return;
        update.mutate(
          { name: c.name, delivery: d.delivery },
          {
            onSuccess: () => {
              notify.success(
                d.delivery.mode === 'broker'
                  ? `${c.name} is now brokered to its hosts.`
                  : `${c.name} is now injected.`,
              );
              onDone();
            },
          },
        );
      }}
    >
      <DeliveryFields
        idPrefix={`delivery-${c.name}`}
        name={c.name}
        mode={mode}
        onMode={setMode}
        hosts={hosts}
        onHosts={setHosts}
        problem={problem}
      />
      {c.delivery.mode === 'broker' && mode === 'inject' ? (
        <p className="warning">
          Injected, the value itself enters the sandbox: scripts can send it to any host their
          profile’s network policy allows.
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={update.isPending}>
          Save delivery
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      <ErrorMessage error={update.error} title="Delivery not changed" />
    </form>
  );
}

function ClearValue({
  credential: c,
  onDone,
}: {
  credential: AdminCredential;
  onDone: () => void;
}) {
  const clear = useClearCredentialValue();
  const notify = useNotify();
  return (
    <Confirm
      title={`Clear the value of ${c.name}?`}
      confirmLabel="Clear value"
      cancelLabel="Keep the value"
      danger
      pending={clear.isPending}
      error={clear.error}
      errorTitle="Value not cleared"
      onConfirm={() =>
        clear.mutate(c.name, {
          onSuccess: () => {
            notify.success(`Value of ${c.name} cleared.`);
            onDone();
          },
        })
      }
      onCancel={onDone}
    >
      <p>Scripts of profiles using it will no longer find it in settings.</p>
    </Confirm>
  );
}

function DeleteCredential({
  credential: c,
  onDone,
}: {
  credential: AdminCredential;
  onDone: () => void;
}) {
  const del = useDeleteCredential();
  const notify = useNotify();
  return (
    <Confirm
      title={`Delete ${c.name}?`}
      confirmLabel="Delete credential"
      cancelLabel="Keep it"
      danger
      pending={del.isPending}
      error={del.error}
      errorTitle="Not deleted"
      onConfirm={() =>
        del.mutate(c.name, {
          onSuccess: () => {
            notify.success(`Deleted ${c.name}.`);
            onDone();
          },
        })
      }
      onCancel={onDone}
    >
      <p>
        The slot and its value are removed. Airlock refuses while a locked profile uses it (revoke
        that profile first).
      </p>
    </Confirm>
  );
}
