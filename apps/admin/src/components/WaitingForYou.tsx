import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { credentialsQuery } from '../api/queries/credentials';
import { executionsQuery, useCancelExecution } from '../api/queries/executions';
import { profilesQuery } from '../api/queries/profiles';
import { statsQuery } from '../api/queries/stats';
import type { AdminCredential, AdminProfile, ExecutionSummary, Stats } from '../api/types';
import { EXPIRING_SOON_MS, shortId } from '../lib/format';
import { UI } from '../paths';
import { AgentMark } from './AgentMark';
import { Confirm } from './Confirm';
import { ErrorMessage } from './ErrorMessage';
import { Icon } from './Icon';
import { Loading } from './Loading';
import { RelativeTime } from './RelativeTime';
import { Time } from './Time';
import './WaitingForYou.css';

type QueueState = Stats['queue'];

/**
 * Agents ask at any time: the Overview looks again this often at what they may have changed
 * (TanStack pauses it in a hidden tab).
 */
export const WATCH_MS = 10_000;

/** The runs paused in `llm.complete` the Overview lists (the oldest are the likeliest stuck). */
export const AWAITING_LLM = { status: 'awaiting_llm', limit: 20, offset: 0 } as const;

const agentFirst = (a: { created_by: string }, b: { created_by: string }) =>
  Number(b.created_by === 'agent') - Number(a.created_by === 'agent');

/**
 * Credential slots that have no value, for a person to fill: those agents asked for first,
 * then those a live profile uses, then by name.
 */
export function slotsWithoutValue(credentials: AdminCredential[]): AdminCredential[] {
  const used = (c: AdminCredential) => c.used_by.some((u) => !u.revoked);
  return credentials
    .filter((c) => !c.has_value)
    .sort(
      (a, b) =>
        agentFirst(a, b) || Number(used(b)) - Number(used(a)) || a.name.localeCompare(b.name),
    );
}

/** Profiles still open for review (neither locked, revoked nor expired): agents' first, oldest first. */
export function profilesToLock(profiles: AdminProfile[]): AdminProfile[] {
  return profiles
    .filter((p) => !p.locked && !p.revoked && !p.expired)
    .sort((a, b) => agentFirst(a, b) || a.created_at.localeCompare(b.created_at));
}

/** Profiles that are still usable and expire within a week, soonest first. */
export function expiringSoon(profiles: AdminProfile[], now: number): AdminProfile[] {
  return profiles
    .filter((p) => p.expires_at && !p.revoked && !p.expired)
    .filter((p) => new Date(p.expires_at ?? '').getTime() - now < EXPIRING_SOON_MS)
    .sort((a, b) => (a.expires_at ?? '').localeCompare(b.expires_at ?? ''));
}

/** The server refuses new executions (503) while running and queued runs fill its capacity. */
export function queueIsFull(q: QueueState): boolean {
  return q.running + q.queued >= q.capacity;
}

const profileLabel = (p: Pick<AdminProfile, 'id' | 'description'>) =>
  p.description || `Profile ${shortId(p.id)}`;

/**
 * The Overview's "Waiting for you": what agents asked for (credential slots without a value,
 * profiles to review and lock, with the network they propose), a full queue, runs waiting for
 * an LLM answer (with a way to stop them), and profiles about to expire.
 */
export function WaitingForYou() {
  const credentials = useQuery({ ...credentialsQuery(), refetchInterval: WATCH_MS });
  const profiles = useQuery({ ...profilesQuery(), refetchInterval: WATCH_MS });
  const stats = useQuery(statsQuery());
  const awaiting = useQuery(executionsQuery(AWAITING_LLM));
  const slots = slotsWithoutValue(credentials.data ?? []);
  const drafts = profilesToLock(profiles.data ?? []);
  const expiring = expiringSoon(profiles.data ?? [], Date.now());
  const full = stats.data ? queueIsFull(stats.data.queue) : false;
  const runs = awaiting.data?.executions ?? [];
  const nameOf = (id: string) => {
    const p = profiles.data?.find((x) => x.id === id);
    return p ? profileLabel(p) : shortId(id);
  };
  const loaded = credentials.data && profiles.data && awaiting.data;
  const nothing =
    loaded && !full && slots.length + drafts.length + expiring.length + runs.length === 0;
  return (
    <section aria-labelledby="waiting" className="card attention waiting">
      <h2 id="waiting">Waiting for you</h2>
      {credentials.isPending || profiles.isPending ? <Loading what="what is waiting" /> : null}
      <ErrorMessage error={credentials.error ?? profiles.error} title="Could not load requests" />
      {nothing ? (
        <p className="muted">
          Nothing is waiting for you: agents have asked for nothing new, and no run is waiting for
          an LLM answer.
        </p>
      ) : null}
      {full && stats.data ? <QueueFull queue={stats.data.queue} /> : null}
      {runs.length > 0 ? <AwaitingRuns runs={runs} profileName={nameOf} /> : null}
      {slots.length > 0 ? <Slots slots={slots} profileName={nameOf} /> : null}
      {drafts.length > 0 ? <Drafts drafts={drafts} /> : null}
      {expiring.length > 0 ? (
        <div className="waiting-group">
          <h3>Profiles expiring within 7 days</h3>
          <ul className="waiting-list">
            {expiring.map((p) => (
              <li key={p.id} className="waiting-item">
                <div className="waiting-main">
                  <Link to={UI.profile(p.id)}>{profileLabel(p)}</Link> expires{' '}
                  <Time iso={p.expires_at} />
                </div>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

function QueueFull({ queue: q }: { queue: QueueState }) {
  return (
    <div className="warning waiting-warning">
      <Icon name="alert" />
      <p>
        <strong>The queue is full:</strong> new executions are refused until runs finish (
        {q.running} running, {q.queued} queued, room for {q.capacity}
        {q.waiting ? `; ${q.waiting} more wait for an LLM answer` : ''}).
      </p>
    </div>
  );
}

function AwaitingRuns({
  runs,
  profileName,
}: {
  runs: ExecutionSummary[];
  profileName: (id: string) => string;
}) {
  // Oldest first: the run that has waited longest is the likeliest stuck.
  const oldestFirst = [...runs].sort((a, b) => a.created_at.localeCompare(b.created_at));
  return (
    <div className="waiting-group">
      <h3>Runs waiting for an LLM answer</h3>
      <p className="help">
        These scripts called <code>llm.complete</code> and wait for their agent to answer. If the
        agent is gone, they wait until their timeout; stop them to free them now.
      </p>
      <ul className="waiting-list">
        {oldestFirst.map((e) => (
          <AwaitingRun key={e.execution_id} run={e} profileName={profileName} />
        ))}
      </ul>
    </div>
  );
}

function AwaitingRun({
  run: e,
  profileName,
}: {
  run: ExecutionSummary;
  profileName: (id: string) => string;
}) {
  const cancel = useCancelExecution(e.execution_id);
  const [confirming, setConfirming] = useState(false);
  const linkId = useId();
  return (
    <li className="waiting-item">
      <div className="waiting-main">
        <Link to={UI.execution(e.execution_id)} className="mono waiting-script" id={linkId}>
          {e.script_first_line ?? `Execution ${shortId(e.execution_id)}`}
        </Link>
        <div className="waiting-meta">
          {profileName(e.profile_id)} · started <RelativeTime iso={e.started_at ?? e.created_at} />
        </div>
      </div>
      <div className="waiting-action">
        <button
          type="button"
          onClick={() => {
            cancel.reset();
            setConfirming(true);
          }}
          aria-describedby={linkId}
        >
          Stop execution…
        </button>
      </div>
      {confirming ? (
        <Confirm
          title="Stop this execution?"
          confirmLabel="Stop execution"
          cancelLabel="Keep running"
          danger
          pending={cancel.isPending}
          error={cancel.error}
          errorTitle="The execution was not stopped"
          onCancel={() => setConfirming(false)}
          onConfirm={() => cancel.mutate(undefined, { onSuccess: () => setConfirming(false) })}
        >
          <p>
            <span className="mono">{e.script_first_line ?? shortId(e.execution_id)}</span> ends now,
            without the answer it waits for. What it printed so far is kept.
          </p>
        </Confirm>
      ) : null}
    </li>
  );
}

function Slots({
  slots,
  profileName,
}: {
  slots: AdminCredential[];
  profileName: (id: string) => string;
}) {
  return (
    <div className="waiting-group">
      <h3>Credentials without a value</h3>
      <p className="help">
        Scripts do not find a credential until it has a value. Values are entered only on the{' '}
        <Link to={UI.credentials}>credentials page</Link>.
      </p>
      <ul className="waiting-list">
        {slots.map((c) => {
          const users = c.used_by.filter((u) => !u.revoked);
          return (
            <li key={c.name} className="waiting-item">
              <div className="waiting-main">
                <span className="mono waiting-name">{c.name}</span>{' '}
                <AgentMark createdBy={c.created_by} />
                {c.description ? <div className="waiting-meta">{c.description}</div> : null}
                <div className="waiting-meta">
                  {users.length === 0 ? (
                    'No profile uses it yet.'
                  ) : (
                    <>
                      Used by{' '}
                      {users.map((u, i) => (
                        <span key={u.profile_id}>
                          {i > 0 ? ', ' : ''}
                          <Link to={UI.profile(u.profile_id)}>{profileName(u.profile_id)}</Link>
                        </span>
                      ))}
                    </>
                  )}
                </div>
              </div>
              <div className="waiting-action">
                <Link to={UI.credentials}>
                  Set value <span className="sr-only">of {c.name}</span>
                </Link>
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function Drafts({ drafts }: { drafts: AdminProfile[] }) {
  return (
    <div className="waiting-group">
      <h3>Profiles waiting to be locked</h3>
      <p className="help">
        Review what each one reaches, then lock it to issue the key its agent signs with.
      </p>
      <ul className="waiting-list">
        {drafts.map((p) => (
          <li key={p.id} className="waiting-item">
            <div className="waiting-main">
              <Link to={UI.profile(p.id)} className="waiting-name">
                {profileLabel(p)}
              </Link>{' '}
              <AgentMark createdBy={p.created_by} />
              <div className="waiting-meta">
                {p.credentials.length === 0
                  ? 'No credentials attached yet.'
                  : `Credentials: ${p.credentials.map((c) => c.name).join(', ')}`}
              </div>
              <ProposedNetwork profile={p} />
            </div>
            <div className="waiting-action">
              <Link to={UI.profile(p.id)}>
                Review and lock <span className="sr-only">{profileLabel(p)}</span>
              </Link>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The network policy an unlocked profile proposes (frozen when it is locked). */
function ProposedNetwork({ profile: p }: { profile: AdminProfile }) {
  const { mode, allow } = p.network;
  if (mode === 'none') return <div className="waiting-meta">Network: none.</div>;
  if (mode === 'open')
    return (
      <div className="waiting-meta waiting-open">
        Network: <strong>any public host</strong>.
      </div>
    );
  return (
    <div className="waiting-meta">
      Network hosts proposed:{' '}
      <ul className="inline-list" aria-label={`Hosts ${profileLabel(p)} proposes`}>
        {allow.map((h) => (
          <li key={h} className="mono">
            {h}
          </li>
        ))}
      </ul>
    </div>
  );
}
