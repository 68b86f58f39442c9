import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { credentialsQuery } from '../api/queries/credentials';
import { executionsQuery } from '../api/queries/executions';
import { profilesQuery } from '../api/queries/profiles';
import { statsQuery } from '../api/queries/stats';
import type { AdminCredential, AdminProfile, Stats } from '../api/types';
import { ErrorMessage } from '../components/ErrorMessage';
import { ExecutionsTable } from '../components/ExecutionsTable';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { Time } from '../components/Time';
import { EXPIRING_SOON_MS, shortId } from '../lib/format';
import { UI } from '../paths';

/** Profiles that are still usable and expire within a week, soonest first. */
export function expiringSoon(profiles: AdminProfile[], now: number): AdminProfile[] {
  return profiles
    .filter((p) => p.expires_at && !p.revoked && !p.expired)
    .filter((p) => new Date(p.expires_at ?? '').getTime() - now < EXPIRING_SOON_MS)
    .sort((a, b) => (a.expires_at ?? '').localeCompare(b.expires_at ?? ''));
}

/** Credentials a profile needs that have no value: the agent is waiting for a person. */
export function waitingForValues(credentials: AdminCredential[]): AdminCredential[] {
  return credentials.filter((c) => !c.has_value && c.used_by.some((u) => !u.revoked));
}

export function OverviewPage() {
  const stats = useQuery(statsQuery());
  const profiles = useQuery(profilesQuery());
  const credentials = useQuery(credentialsQuery());
  const recent = useQuery(executionsQuery({ limit: 5, offset: 0 }));
  const waiting = waitingForValues(credentials.data ?? []);
  const expiring = expiringSoon(profiles.data ?? [], Date.now());
  const profileName = (id: string) =>
    profiles.data?.find((p) => p.id === id)?.description || shortId(id);
  return (
    <>
      <PageTitle title="Overview" />
      <h1>Overview</h1>
      <section aria-labelledby="waiting" className="card attention">
        <h2 id="waiting">Waiting for you</h2>
        {credentials.isError ? <ErrorMessage error={credentials.error} /> : null}
        {credentials.isPending ? <Loading what="credentials" /> : null}
        {credentials.data && waiting.length === 0 ? (
          <p className="muted">No profile is waiting for a credential value.</p>
        ) : null}
        {waiting.length > 0 ? (
          <>
            <p>
              Profiles use these credentials, but they have no value yet: scripts will not find
              them. Set them on the <Link to={UI.credentials}>credentials page</Link>.
            </p>
            <ul className="plain">
              {waiting.map((c) => (
                <li key={c.name}>
                  <span className="mono">{c.name}</span>
                  {c.description ? ` — ${c.description}` : ''} (used by{' '}
                  {c.used_by.map((u, i) => (
                    <span key={u.profile_id}>
                      {i > 0 ? ', ' : ''}
                      <Link to={UI.profile(u.profile_id)}>{profileName(u.profile_id)}</Link>
                    </span>
                  ))}
                  )
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {expiring.length > 0 ? (
          <>
            <h3>Profiles expiring within 7 days</h3>
            <ul className="plain">
              {expiring.map((p) => (
                <li key={p.id}>
                  <Link to={UI.profile(p.id)}>{p.description || shortId(p.id)}</Link> expires{' '}
                  <Time iso={p.expires_at} />
                </li>
              ))}
            </ul>
          </>
        ) : profiles.data ? (
          <p className="muted">No profile expires within 7 days.</p>
        ) : null}
      </section>
      <StatsPanel stats={stats.data} error={stats.error} pending={stats.isPending} />
      <section className="card" aria-labelledby="recent">
        <h2 id="recent">Recent executions</h2>
        {recent.isPending ? <Loading what="executions" /> : null}
        {recent.isError ? (
          <ErrorMessage error={recent.error} title="Executions unavailable" />
        ) : null}
        {recent.data?.executions.length === 0 ? (
          <p className="empty">
            No executions yet. Lock a profile, give its key to an agent, and its runs show up here.
          </p>
        ) : null}
        {recent.data && recent.data.executions.length > 0 ? (
          <ExecutionsTable executions={recent.data.executions} profileName={profileName} />
        ) : null}
        <p>
          <Link to={UI.executions}>All executions</Link>
        </p>
      </section>
    </>
  );
}

function StatsPanel({
  stats,
  error,
  pending,
}: {
  stats: Stats | undefined;
  error: unknown;
  pending: boolean;
}) {
  return (
    <section aria-labelledby="numbers">
      <h2 id="numbers">At a glance</h2>
      {pending ? <Loading what="statistics" /> : null}
      {error ? <ErrorMessage error={error} title="Statistics unavailable" /> : null}
      {stats ? (
        <div className="tiles">
          <Tile label="Credentials" value={stats.credentials.total}>
            {stats.credentials.missing_value} without a value
          </Tile>
          <Tile label="Profiles" value={stats.profiles.total}>
            {stats.profiles.locked} locked · {stats.profiles.unlocked} unlocked ·{' '}
            {stats.profiles.revoked} revoked · {stats.profiles.expired} expired
          </Tile>
          <Tile label="Executions (24 h)" value={stats.executions.last_24h}>
            {stats.executions.total} in total
            {stats.executions.by_status.error
              ? ` · ${stats.executions.by_status.error} errors`
              : ''}
          </Tile>
          <Tile label="Running now" value={`${stats.queue.running} / ${stats.queue.concurrency}`}>
            {stats.queue.queued} queued
            {stats.queue.waiting ? ` · ${stats.queue.waiting} waiting for an LLM answer` : ''} ·
            room for {stats.queue.capacity}
          </Tile>
          <Tile label="Sandbox" value={stats.sandbox.backend}>
            {stats.sandbox.ok ? 'confines every script' : 'NOT working: scripts cannot run'}
            <span title={stats.sandbox.accounting.detail}>
              {' · '}
              {stats.sandbox.accounting.active
                ? `memory bounded per run (${stats.sandbox.accounting.mechanism})`
                : 'memory bounded per process only (no cgroup per run)'}
            </span>
          </Tile>
          <Tile
            label="History kept"
            value={`${Math.round((100 * stats.history.bytes) / stats.history.limit_bytes)} %`}
          >
            {megabytes(stats.history.bytes)} of {megabytes(stats.history.limit_bytes)}
            {stats.history.retention_days > 0 ? ` · ${stats.history.retention_days} days` : ''} ·{' '}
            {stats.history.pruned_executions} pruned
          </Tile>
        </div>
      ) : null}
    </section>
  );
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function Tile({
  label,
  value,
  children,
}: {
  label: string;
  value: number | string;
  children: React.ReactNode;
}) {
  return (
    <div className="tile">
      <div className="tile-label">{label}</div>
      <div className="tile-value">{value}</div>
      <div className="tile-detail">{children}</div>
    </div>
  );
}
