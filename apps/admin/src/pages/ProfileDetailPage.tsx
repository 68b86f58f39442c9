import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
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
import type { AdminProfile, NetworkPolicy } from '../api/types';
import { AgentSnippet } from '../components/AgentSnippet';
import { ExecutionBadge, ProfileBadge, profileState, ValueBadge } from '../components/Badges';
import { Confirm } from '../components/Confirm';
import { ErrorMessage } from '../components/ErrorMessage';
import { KeyReveal } from '../components/KeyReveal';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { Time } from '../components/Time';
import { formatDuration, isoToLocalInput, localInputToIso, shortId } from '../lib/format';
import { UI } from '../paths';

export function ProfileDetailPage() {
  const { id = '' } = useParams();
  const profile = useQuery(profileQuery(id));
  // The freshly issued key: component state only, gone when dismissed or on leaving the page.
  const [issuedKey, setIssuedKey] = useState<string>();

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
      </h1>
      <dl className="facts">
        <dt>Id</dt>
        <dd className="mono">{p.id}</dd>
        <dt>Key id</dt>
        <dd className="mono">{p.key_id ?? 'none (lock the profile to issue a key)'}</dd>
        <dt>Created</dt>
        <dd>
          <Time iso={p.created_at} />
        </dd>
        {p.locked_at ? (
          <>
            <dt>Locked</dt>
            <dd>
              <Time iso={p.locked_at} />
            </dd>
          </>
        ) : null}
        {p.revoked_at ? (
          <>
            <dt>Revoked</dt>
            <dd>
              <Time iso={p.revoked_at} />
            </dd>
          </>
        ) : null}
      </dl>
      {issuedKey ? <KeyReveal fullKey={issuedKey} onDone={() => setIssuedKey(undefined)} /> : null}
      <AttachedCredentials profile={p} />
      <NetworkSection profile={p} />
      <KeySection profile={p} onIssued={setIssuedKey} />
      {p.revoked ? null : <SettingsSection profile={p} />}
      {p.locked && !p.revoked ? (
        <AgentSnippet keyId={p.key_id} requireV2={p.require_signature_v2} />
      ) : null}
      <ProfileExecutions profileId={p.id} />
      <DangerZone profile={p} />
    </>
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
    <section className="card" aria-labelledby="network">
      <h2 id="network">Network</h2>
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
  const all = useQuery(credentialsQuery());
  const editable = !p.locked && !p.revoked;
  const attached = new Set(p.credentials.map((c) => c.name));
  const available = (all.data ?? []).filter((c) => !attached.has(c.name));
  const [choice, setChoice] = useState('');
  return (
    <section className="card" aria-labelledby="attached">
      <h2 id="attached">Credentials this profile reaches</h2>
      {p.credentials.length === 0 ? (
        <p className="empty">
          No credentials attached yet{editable ? ': attach some below.' : '.'}
        </p>
      ) : (
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
                      onClick={() => detach.mutate([c.name])}
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
      )}
      {editable ? (
        <form
          className="inline-form row"
          onSubmit={(e) => {
            e.preventDefault();
            if (!choice) return;
            const attached = choice;
            // Clear only what was attached: the user may have picked the next one meanwhile.
            attach.mutate([attached], {
              onSuccess: () => setChoice((c) => (c === attached ? '' : c)),
            });
          }}
        >
          <label htmlFor="attach-choice">Attach a credential</label>
          <select
            id="attach-choice"
            value={choice}
            onChange={(e) => setChoice(e.currentTarget.value)}
          >
            <option value="">
              {available.length === 0 ? 'No other credentials exist' : 'Choose…'}
            </option>
            {available.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
                {c.has_value ? '' : ' (no value yet)'}
              </option>
            ))}
          </select>
          <button type="submit" disabled={!choice || attach.isPending}>
            Attach
          </button>
        </form>
      ) : p.revoked ? null : (
        <p className="help">
          A locked profile’s credentials are fixed. Create a new profile to change them.
        </p>
      )}
      <ErrorMessage error={attach.error ?? detach.error} />
    </section>
  );
}

function KeySection({
  profile: p,
  onIssued,
}: {
  profile: AdminProfile;
  onIssued: (key: string) => void;
}) {
  const lock = useIssueKey(p.id, 'lock');
  const regenerate = useIssueKey(p.id, 'regenerate');
  const revoke = useRevokeProfile(p.id);
  const [confirm, setConfirm] = useState<'none' | 'lock' | 'regenerate' | 'revoke'>('none');
  const state = profileState(p);
  if (state === 'revoked')
    return (
      <section className="card" aria-labelledby="key">
        <h2 id="key">Key</h2>
        <p>This profile is revoked: its key is refused for good. Create a new profile instead.</p>
      </section>
    );
  const missing = p.credentials.filter((c) => !c.has_value);
  return (
    <section className="card" aria-labelledby="key">
      <h2 id="key">Key</h2>
      {!p.locked ? (
        <>
          <p>
            Locking fixes the credential list and issues the key the agent signs with. You will see
            the key once.
          </p>
          {confirm === 'lock' ? (
            <Confirm
              title="Lock this profile and issue its key?"
              confirmLabel="Lock and show key"
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
            Key id <span className="mono">{p.key_id}</span>. The secret part was shown once, when it
            was issued.
          </p>
          {confirm === 'regenerate' ? (
            <Confirm
              title="Issue a new key?"
              confirmLabel="Regenerate key"
              danger
              pending={regenerate.pending}
              onCancel={() => setConfirm('none')}
              onConfirm={async () => {
                const key = await regenerate.run(p.credentials.map((c) => c.name));
                setConfirm('none');
                if (key) onIssued(key);
              }}
            >
              <p>The current key stops working at once. Agents need the new one.</p>
            </Confirm>
          ) : confirm === 'revoke' ? (
            <Confirm
              title="Revoke this profile?"
              confirmLabel="Revoke for good"
              danger
              pending={revoke.isPending}
              onCancel={() => setConfirm('none')}
              onConfirm={() => revoke.mutate(undefined, { onSettled: () => setConfirm('none') })}
            >
              <p>
                Its key is refused from now on, and this cannot be undone. Execution history is
                kept.
              </p>
            </Confirm>
          ) : (
            <div className="actions">
              <button type="button" onClick={() => setConfirm('regenerate')}>
                Regenerate key…
              </button>
              <button type="button" className="danger" onClick={() => setConfirm('revoke')}>
                Revoke…
              </button>
            </div>
          )}
        </>
      )}
      <ErrorMessage error={lock.error ?? regenerate.error ?? revoke.error} />
    </section>
  );
}

function SettingsSection({ profile: p }: { profile: AdminProfile }) {
  const update = useUpdateProfile(p.id);
  const [saved, setSaved] = useState<string>();
  const readOnly = p.revoked;
  const save = (what: string, input: Parameters<typeof update.mutate>[0]) => {
    setSaved(undefined);
    update.mutate(input, { onSuccess: () => setSaved(`${what} saved.`) });
  };
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
      <p aria-live="polite" className="success">
        {saved}
      </p>
      <ErrorMessage error={update.error} />
    </section>
  );
}

function ProfileExecutions({ profileId }: { profileId: string }) {
  const list = useQuery(executionsQuery({ profile_id: profileId, limit: 10, offset: 0 }));
  return (
    <section className="card" aria-labelledby="profile-executions">
      <h2 id="profile-executions">Recent executions</h2>
      {list.isPending ? <Loading what="executions" /> : null}
      {list.isError ? <ErrorMessage error={list.error} title="Executions unavailable" /> : null}
      {list.data?.executions.length === 0 ? (
        <p className="empty">No executions with this profile yet.</p>
      ) : null}
      {list.data && list.data.executions.length > 0 ? (
        <ul className="plain">
          {list.data.executions.map((e) => (
            <li key={e.execution_id}>
              <Link to={UI.execution(e.execution_id)} className="mono">
                {e.execution_id}
              </Link>{' '}
              <ExecutionBadge status={e.status} /> <Time iso={e.created_at} />{' '}
              {formatDuration(e.execution_time_ms)}
            </li>
          ))}
        </ul>
      ) : null}
      <Link to={`${UI.executions}?profile_id=${encodeURIComponent(profileId)}`}>
        All executions of this profile
      </Link>
    </section>
  );
}

function DangerZone({ profile: p }: { profile: AdminProfile }) {
  const del = useDeleteProfile(p.id);
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const deletable = !p.locked || p.revoked;
  return (
    <section className="card danger-zone" aria-labelledby="delete-profile">
      <h2 id="delete-profile">Delete</h2>
      {!deletable ? (
        <p className="help">A locked profile cannot be deleted; revoke it first.</p>
      ) : confirming ? (
        <Confirm
          title="Delete this profile?"
          confirmLabel="Delete profile"
          danger
          pending={del.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() => del.mutate(undefined, { onSuccess: () => navigate(UI.profiles) })}
        >
          <p>The profile is removed. Its execution history is kept.</p>
        </Confirm>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete profile…
        </button>
      )}
      <ErrorMessage error={del.error} />
    </section>
  );
}
