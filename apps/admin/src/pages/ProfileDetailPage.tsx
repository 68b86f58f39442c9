import { type UseQueryResult, useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, type Ref, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { credentialsQuery } from '../api/queries/credentials';
import { executionsQuery } from '../api/queries/executions';
import {
  profileQuery,
  useAttachCredentials,
  useDeleteProfile,
  useDetachCredentials,
  useIssueKey,
  useRevokeProfile,
  useUpdateProfile,
} from '../api/queries/profiles';
import type { AdminCredential, AdminProfile, ExecutionPage, NetworkPolicy } from '../api/types';
import { AgentMark } from '../components/AgentMark';
import { AgentSnippet } from '../components/AgentSnippet';
import { ProfileBadge, ValueBadge } from '../components/Badges';
import { Confirm } from '../components/Confirm';
import { ErrorMessage } from '../components/ErrorMessage';
import { ExecutionsTable } from '../components/ExecutionsTable';
import { KeyReveal } from '../components/KeyReveal';
import { Loading } from '../components/Loading';
import { LockReview } from '../components/LockReview';
import { useNotify } from '../components/Notices';
import { PageTitle } from '../components/PageTitle';
import { LifecycleSteps, lifecycleSteps } from '../components/ProfileLifecycle';
import { TableBox } from '../components/TableBox';
import { Time } from '../components/Time';
import { isoToLocalInput, localInputToIso, shortId } from '../lib/format';
import { UI } from '../paths';

export function ProfileDetailPage() {
  const { id = '' } = useParams();
  const profile = useQuery(profileQuery(id));
  // The freshly issued key: component state only, gone when dismissed or on leaving the page.
  const [issued, setIssued] = useState<IssuedKey>();
  const onIssued: OnIssued = (key, returnFocus) => setIssued({ key, returnFocus });
  const runs = useQuery(executionsQuery({ profile_id: id, limit: RECENT_RUNS, offset: 0 }));
  // Where focus goes when the key dialog closes and what opened it is gone (the lock replaced it).
  const agentHeading = useRef<HTMLHeadingElement>(null);

  if (profile.isPending) return <Loading what="the profile" />;
  if (profile.isError)
    return (
      <>
        <PageTitle title="Profile" />
        <h1>Profile</h1>
        <ErrorMessage error={profile.error} title="Could not load this profile" />
        <p>
          Back to <Link to={UI.profiles}>all profiles</Link>.
        </p>
      </>
    );
  const p = profile.data;
  return (
    <>
      <p className="crumbs">
        <Link to={UI.profiles}>Profiles</Link> / {shortId(p.id)}
      </p>
      <PageTitle title={p.description || 'Profile'} />
      <h1>
        {p.description || `Profile ${shortId(p.id)}`} <ProfileBadge profile={p} />
        <AgentMark createdBy={p.created_by} />
      </h1>
      <dl className="facts">
        <dt>Id</dt>
        <dd className="mono">{p.id}</dd>
        <dt>Created</dt>
        <dd>
          <Time iso={p.created_at} />
        </dd>
      </dl>
      <LifecycleSteps steps={lifecycleSteps(p, runs.data?.total ?? 0)} />
      {issued ? (
        <KeyReveal
          fullKey={issued.key}
          onDone={() => setIssued(undefined)}
          returnFocus={() => issued.returnFocus?.() ?? agentHeading.current}
        />
      ) : null}
      <Step n={1} id="step-reach" title="Choose what it reaches">
        <AttachedCredentials profile={p} />
        <NetworkSection profile={p} />
      </Step>
      <Step n={2} id="step-lock" title="Lock and issue the key">
        <KeySection profile={p} onIssued={onIssued} />
      </Step>
      <Step n={3} id="step-agent" title="Give it to the agent" headingRef={agentHeading}>
        {p.locked && !p.revoked ? (
          <AgentSnippet keyId={p.key_id} requireV2={p.require_signature_v2} />
        ) : (
          <p className="muted">
            {p.revoked
              ? 'This profile is revoked: agents can no longer use its key.'
              : 'Lock the profile first: its key and a ready-to-paste snippet for the agent appear here.'}
          </p>
        )}
      </Step>
      <Step n={4} id="step-runs" title="Runs">
        <ProfileExecutions profileId={p.id} runs={runs} />
      </Step>
      {p.revoked ? null : <SettingsSection profile={p} />}
      <DangerZone profile={p} onIssued={onIssued} />
    </>
  );
}

/** A key just issued: shown once, in the key dialog, then forgotten. */
interface IssuedKey {
  key: string;
  /** Where focus goes when the dialog closes (else to the "Give it to the agent" step). */
  returnFocus?: (() => HTMLElement | null) | undefined;
}

type OnIssued = (key: string, returnFocus?: () => HTMLElement | null) => void;

/** Runs of this profile shown on its page (the Executions page has them all). */
const RECENT_RUNS = 10;

/** One step of the profile's life: a card whose numbered heading matches the steps list. */
function Step({
  n,
  id,
  title,
  headingRef,
  children,
}: {
  n: number;
  id: string;
  title: string;
  headingRef?: Ref<HTMLHeadingElement>;
  children: ReactNode;
}) {
  return (
    <section className="card step" id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="step-title" tabIndex={-1} ref={headingRef}>
        <span className="lifecycle-n">
          <span className="sr-only">Step </span>
          {n}
          <span className="sr-only">:</span>
        </span>{' '}
        {title}
      </h2>
      {children}
    </section>
  );
}

/** What a policy lets scripts reach, in words (the lock confirmation and the section). */
function NetworkReach({ policy }: { policy: NetworkPolicy }) {
  if (policy.mode === 'none')
    return (
      <p>
        Its scripts will reach <strong>no network host</strong>.
      </p>
    );
  if (policy.mode === 'open')
    return (
      <p className="warning">
        Its scripts will reach <strong>any public host</strong> (never loopback or private
        addresses): any of them could receive these credentials.
      </p>
    );
  return (
    <>
      <p>Its scripts will reach only these hosts:</p>
      <ul className="reach-list" aria-label="Hosts the key reaches">
        {policy.allow.map((e) => (
          <li key={e} className="mono">
            {e}
          </li>
        ))}
      </ul>
    </>
  );
}

function NetworkSection({ profile: p }: { profile: AdminProfile }) {
  const update = useUpdateProfile(p.id);
  const editable = !p.locked && !p.revoked;
  const [mode, setMode] = useState<NetworkPolicy['mode']>(p.network.mode);
  const [entries, setEntries] = useState(p.network.allow.join('\n'));
  const save = (e: FormEvent) => {
    e.preventDefault();
    const allow =
      mode === 'allowlist'
        ? entries
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
        : [];
    update.mutate({ network: { mode, allow } });
  };
  return (
    <section className="step-part" aria-labelledby="network">
      <h3 id="network">Network</h3>
      <NetworkReach policy={p.network} />
      {editable ? (
        <form onSubmit={save} className="stack">
          <label>
            Mode{' '}
            <select value={mode} onChange={(e) => setMode(e.target.value as NetworkPolicy['mode'])}>
              <option value="none">none: no network</option>
              <option value="allowlist">allowlist: only the hosts below</option>
              <option value="open">open: any public host</option>
            </select>
          </label>
          {mode === 'allowlist' ? (
            <label>
              Hosts, one per line, e.g. <span className="mono">api.stripe.com</span>,{' '}
              <span className="mono">*.example.com:8443</span>,{' '}
              <span className="mono">10.0.0.5:5432</span> or{' '}
              <span className="mono">10.0.0.0/8</span> (no port means 443 and 80)
              <textarea
                rows={4}
                className="mono"
                value={entries}
                onChange={(e) => setEntries(e.target.value)}
              />
            </label>
          ) : null}
          <div>
            <button type="submit" disabled={update.isPending}>
              Save network policy
            </button>
          </div>
          <ErrorMessage error={update.error} />
        </form>
      ) : (
        <p className="help">
          {p.locked
            ? 'A locked profile’s network policy is fixed. Create a new profile to change it.'
            : null}
        </p>
      )}
    </section>
  );
}

function AttachedCredentials({ profile: p }: { profile: AdminProfile }) {
  const attach = useAttachCredentials(p.id);
  const detach = useDetachCredentials(p.id);
  const notify = useNotify();
  const all = useQuery(credentialsQuery());
  const editable = !p.locked && !p.revoked;
  const attached = new Set(p.credentials.map((c) => c.name));
  const available = (all.data ?? []).filter((c) => !attached.has(c.name));
  return (
    <section className="step-part" aria-labelledby="attached">
      <h3 id="attached">Credentials</h3>
      {p.credentials.length === 0 ? (
        <p className="empty">
          No credentials attached yet{editable ? ': attach some below.' : '.'}
        </p>
      ) : (
        <TableBox label="Attached credentials">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Value</th>
                {editable ? (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {p.credentials.map((c) => (
                <tr key={c.name}>
                  <th scope="row" className="mono">
                    {c.name}
                  </th>
                  <td>{c.description || <span className="muted">—</span>}</td>
                  <td>
                    <ValueBadge
                      hasValue={c.has_value}
                      redactable={all.data?.find((x) => x.name === c.name)?.redactable}
                    />
                    {!c.has_value ? (
                      <Link to={UI.credentials} className="small">
                        {' '}
                        set it
                      </Link>
                    ) : null}
                  </td>
                  {editable ? (
                    <td>
                      <button
                        type="button"
                        onClick={() =>
                          detach.mutate([c.name], {
                            onSuccess: () => notify.success(`Detached ${c.name}.`),
                          })
                        }
                        disabled={detach.isPending}
                        aria-label={`Detach ${c.name}`}
                      >
                        Detach
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
      {editable ? <AttachForm available={available} attach={attach} /> : null}
      {editable ? null : p.revoked ? null : (
        <p className="help">
          A locked profile’s credentials are fixed. Create a new profile to change them.
        </p>
      )}
      <ErrorMessage error={attach.error ?? detach.error} />
    </section>
  );
}

/** Attach several credentials at once: tick them, then one request attaches them all. */
function AttachForm({
  available,
  attach,
}: {
  available: AdminCredential[];
  attach: ReturnType<typeof useAttachCredentials>;
}) {
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const notify = useNotify();
  // Only credentials still available count (one may have been attached or deleted meanwhile).
  const picked = available.filter((c) => chosen.has(c.name)).map((c) => c.name);
  const toggle = (name: string, on: boolean) =>
    setChosen((prev) => {
      const next = new Set(prev);
      if (on) next.add(name);
      else next.delete(name);
      return next;
    });
  if (available.length === 0)
    return (
      <p className="help">
        Every credential is attached. <Link to={UI.credentials}>Create another credential</Link> to
        attach it here.
      </p>
    );
  return (
    <form
      className="attach-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (picked.length === 0) return;
        // Untick only what was attached: the reader may have ticked more meanwhile.
        attach.mutate(picked, {
          onSuccess: () => {
            setChosen((prev) => new Set([...prev].filter((n) => !picked.includes(n))));
            notify.success(`Attached ${picked.join(', ')}.`);
          },
        });
      }}
    >
      <fieldset>
        <legend>Attach credentials</legend>
        <ul className="attach-list">
          {available.map((c) => (
            <li key={c.name}>
              <label className="check">
                <input
                  type="checkbox"
                  checked={chosen.has(c.name)}
                  onChange={(e) => toggle(c.name, e.currentTarget.checked)}
                />
                <span className="mono">{c.name}</span>
                <ValueBadge hasValue={c.has_value} redactable={c.redactable} />
                {c.description ? <span className="muted small"> {c.description}</span> : null}
              </label>
            </li>
          ))}
        </ul>
        <button type="submit" disabled={picked.length === 0 || attach.isPending}>
          {picked.length === 0
            ? 'Attach selected'
            : `Attach ${picked.length} credential${picked.length === 1 ? '' : 's'}`}
        </button>
      </fieldset>
    </form>
  );
}

function KeySection({ profile: p, onIssued }: { profile: AdminProfile; onIssued: OnIssued }) {
  const lock = useIssueKey(p.id, 'lock');
  const [confirm, setConfirm] = useState<'none' | 'lock'>('none');
  if (p.revoked)
    return (
      <p>
        Revoked <Time iso={p.revoked_at} />: its key is refused for good. Create a new profile
        instead.
      </p>
    );
  const missing = p.credentials.filter((c) => !c.has_value);
  return (
    <>
      {!p.locked ? (
        <>
          <p>
            Locking fixes the credential list and issues the key the agent signs with. You will see
            the key once.
          </p>
          {p.created_by === 'agent' ? (
            // What an agent proposed gets a full review (credentials, delivery, network) first.
            <LockReview
              profile={p}
              pending={lock.pending}
              error={lock.error}
              onLock={async () => {
                const key = await lock.run(p.credentials.map((c) => c.name));
                if (key) onIssued(key);
                return key !== undefined;
              }}
            />
          ) : confirm === 'lock' ? (
            <Confirm
              title="Lock this profile and issue its key?"
              confirmLabel="Lock and show key"
              cancelLabel="Not yet"
              pending={lock.pending}
              onCancel={() => setConfirm('none')}
              onConfirm={async () => {
                const key = await lock.run(p.credentials.map((c) => c.name));
                setConfirm('none');
                if (key) onIssued(key);
              }}
            >
              {p.credentials.length === 0 ? (
                <p className="warning">
                  The key will reach <strong>no credentials</strong>: this profile has none
                  attached.
                </p>
              ) : (
                <>
                  <p>
                    The key will reach exactly these {p.credentials.length} credential
                    {p.credentials.length === 1 ? '' : 's'}, and nothing else:
                  </p>
                  <ul className="reach-list" aria-label="Credentials the key reaches">
                    {p.credentials.map((c) => (
                      <li key={c.name}>
                        <span className="mono">{c.name}</span>{' '}
                        {c.has_value ? (
                          ''
                        ) : (
                          <span className="badge badge-missing">no value yet</span>
                        )}
                      </li>
                    ))}
                  </ul>
                </>
              )}
              {missing.length > 0 ? (
                <p className="help">Values can still be set after locking.</p>
              ) : null}
              <NetworkReach policy={p.network} />
              <p>Neither list can change after locking.</p>
            </Confirm>
          ) : (
            <button type="button" className="primary" onClick={() => setConfirm('lock')}>
              Lock and issue key…
            </button>
          )}
        </>
      ) : (
        <>
          <p>
            Locked <Time iso={p.locked_at} />. Key id <span className="mono">{p.key_id}</span>; the
            secret part was shown once, when it was issued.
          </p>
          <p className="help">
            Lost the key? Regenerate it in the danger zone below (the current key stops working).
          </p>
        </>
      )}
      <ErrorMessage error={lock.error} />
    </>
  );
}

function SettingsSection({ profile: p }: { profile: AdminProfile }) {
  const update = useUpdateProfile(p.id);
  const notify = useNotify();
  const readOnly = p.revoked;
  const save = (what: string, input: Parameters<typeof update.mutate>[0]) =>
    update.mutate(input, { onSuccess: () => notify.success(`${what} saved.`) });
  const onExpiry = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const v = String(new FormData(e.currentTarget).get('expires_at') ?? '');
    const iso = localInputToIso(v);
    if (iso) save('Expiry', { expires_at: iso });
  };
  return (
    <section className="card" aria-labelledby="settings">
      <h2 id="settings">Settings</h2>
      <form
        className="inline-form row"
        onSubmit={(e) => {
          e.preventDefault();
          save('Description', {
            description: String(new FormData(e.currentTarget).get('description') ?? ''),
          });
        }}
      >
        <label htmlFor="p-description">Description</label>
        <input
          id="p-description"
          name="description"
          defaultValue={p.description}
          key={p.description}
          maxLength={2000}
          disabled={readOnly}
        />
        <button type="submit" disabled={readOnly || update.isPending}>
          Save description
        </button>
      </form>
      <form className="inline-form row" onSubmit={onExpiry}>
        <label htmlFor="p-expires">Expires (your local time)</label>
        <input
          id="p-expires"
          name="expires_at"
          type="datetime-local"
          defaultValue={isoToLocalInput(p.expires_at)}
          key={p.expires_at ?? 'none'}
          disabled={readOnly}
          required
        />
        <button type="submit" disabled={readOnly || update.isPending}>
          Set expiry
        </button>
        {p.expires_at ? (
          <button
            type="button"
            disabled={readOnly || update.isPending}
            onClick={() => save('Expiry removal', { expires_at: null })}
          >
            Clear expiry
          </button>
        ) : null}
      </form>
      <p className="help" data-testid="expiry-state">
        {p.expires_at ? (
          <>
            {p.expired ? 'Expired' : 'Expires'} <Time iso={p.expires_at} />
            {p.expired ? ': its key is refused until you set a later expiry.' : '.'}
          </>
        ) : (
          'No expiry: the key works until revoked.'
        )}
      </p>
      <label className="check">
        <input
          type="checkbox"
          checked={p.require_signature_v2}
          disabled={readOnly || update.isPending}
          onChange={(e) =>
            save('Replay protection', { require_signature_v2: e.currentTarget.checked })
          }
        />
        Require replay-protected (v2) signatures: requests must carry a fresh timestamp and nonce,
        so a captured request cannot be sent again.
      </label>
      <ErrorMessage error={update.error} />
    </section>
  );
}

function ProfileExecutions({
  profileId,
  runs,
}: {
  profileId: string;
  runs: UseQueryResult<ExecutionPage>;
}) {
  return (
    <>
      {runs.isPending ? <Loading what="executions" /> : null}
      {runs.isError ? <ErrorMessage error={runs.error} title="Executions unavailable" /> : null}
      {runs.data?.executions.length === 0 ? (
        <p className="empty">
          No runs with this profile yet. They appear here, live, when the agent sends its first
          script.
        </p>
      ) : null}
      {runs.data && runs.data.executions.length > 0 ? (
        <>
          <p className="muted">
            {runs.data.total > runs.data.executions.length
              ? `The latest ${runs.data.executions.length} of ${runs.data.total}`
              : `${runs.data.total} run${runs.data.total === 1 ? '' : 's'}`}
            , newest first; the list updates by itself.
          </p>
          <ExecutionsTable
            executions={runs.data.executions}
            label="Runs of this profile"
            showError
          />
        </>
      ) : null}
      <p>
        <Link to={`${UI.executions}?profile_id=${encodeURIComponent(profileId)}`}>
          All executions of this profile
        </Link>
      </p>
    </>
  );
}

/**
 * What cannot be undone, or breaks the agent's key, behind a collapsed section: regenerate the
 * key, revoke, delete. Each still asks first, in plain words.
 */
function DangerZone({ profile: p, onIssued }: { profile: AdminProfile; onIssued: OnIssued }) {
  const regenerate = useIssueKey(p.id, 'regenerate');
  const revoke = useRevokeProfile(p.id);
  const del = useDeleteProfile(p.id);
  const navigate = useNavigate();
  const notify = useNotify();
  const regenerateButton = useRef<HTMLButtonElement>(null);
  const [confirm, setConfirm] = useState<'none' | 'regenerate' | 'revoke' | 'delete'>('none');
  const live = p.locked && !p.revoked;
  const deletable = !p.locked || p.revoked;
  return (
    <details className="card danger-zone" id="danger-zone">
      <summary>
        Danger zone{' '}
        <span className="muted small">
          {live ? '(regenerate the key, revoke, delete)' : '(delete the profile)'}
        </span>
      </summary>
      {live ? (
        <div className="danger-action">
          <h3>Regenerate the key</h3>
          <p className="help">
            Issues a new key, shown once; the current key stops working at once.
          </p>
          {confirm === 'regenerate' ? (
            <Confirm
              title="Issue a new key?"
              confirmLabel="Regenerate key"
              cancelLabel="Keep the current key"
              danger
              pending={regenerate.pending}
              error={regenerate.error}
              errorTitle="No new key"
              onCancel={() => setConfirm('none')}
              onConfirm={async () => {
                const key = await regenerate.run(p.credentials.map((c) => c.name));
                if (!key) return; // the dialog shows why
                setConfirm('none');
                onIssued(key, () => regenerateButton.current);
              }}
            >
              <p>The current key stops working at once. Agents need the new one.</p>
            </Confirm>
          ) : (
            <button type="button" ref={regenerateButton} onClick={() => setConfirm('regenerate')}>
              Regenerate key…
            </button>
          )}
        </div>
      ) : null}
      {live ? (
        <div className="danger-action">
          <h3>Revoke</h3>
          <p className="help">The key is refused for good; runs in progress are cancelled.</p>
          {confirm === 'revoke' ? (
            <Confirm
              title="Revoke this profile?"
              confirmLabel="Revoke for good"
              cancelLabel="Keep it working"
              danger
              pending={revoke.isPending}
              error={revoke.error}
              errorTitle="Not revoked"
              onCancel={() => setConfirm('none')}
              onConfirm={() =>
                revoke.mutate(undefined, {
                  onSuccess: () => {
                    setConfirm('none');
                    notify.success('Profile revoked: its key is refused from now on.');
                  },
                })
              }
            >
              <p>
                Its key is refused from now on, and this cannot be undone. Execution history is
                kept.
              </p>
            </Confirm>
          ) : (
            <button type="button" className="danger" onClick={() => setConfirm('revoke')}>
              Revoke…
            </button>
          )}
        </div>
      ) : null}
      <div className="danger-action">
        <h3>Delete</h3>
        {!deletable ? (
          <p className="help">A locked profile cannot be deleted; revoke it first.</p>
        ) : confirm === 'delete' ? (
          <Confirm
            title="Delete this profile?"
            confirmLabel="Delete profile"
            cancelLabel="Keep the profile"
            danger
            pending={del.isPending}
            error={del.error}
            errorTitle="Not deleted"
            onCancel={() => setConfirm('none')}
            onConfirm={() =>
              del.mutate(undefined, {
                onSuccess: () => {
                  notify.success('Profile deleted.');
                  navigate(UI.profiles);
                },
              })
            }
          >
            <p>The profile is removed. Its execution history is kept.</p>
          </Confirm>
        ) : (
          <>
            <p className="help">Removes the profile; its execution history is kept.</p>
            <button type="button" className="danger" onClick={() => setConfirm('delete')}>
              Delete profile…
            </button>
          </>
        )}
      </div>
    </details>
  );
}
