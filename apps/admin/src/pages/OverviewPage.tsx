import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { executionsQuery } from '../api/queries/executions';
import { profilesQuery } from '../api/queries/profiles';
import { statsQuery } from '../api/queries/stats';
import type { Stats } from '../api/types';
import { Checklist } from '../components/Checklist';
import { ErrorMessage } from '../components/ErrorMessage';
import { ExecutionsTable } from '../components/ExecutionsTable';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { WATCH_MS, WaitingForYou } from '../components/WaitingForYou';
import { shortId } from '../lib/format';
import { UI } from '../paths';

export function OverviewPage() {
  // The numbers follow what waits (the same interval), so they never contradict it for long.
  const stats = useQuery({ ...statsQuery(), refetchInterval: WATCH_MS });
  const profiles = useQuery(profilesQuery());
  const recent = useQuery(executionsQuery({ limit: 5, offset: 0 }));
  const profileName = (id: string) =>
    profiles.data?.find((p) => p.id === id)?.description || shortId(id);
  return (
    <>
      <PageTitle title="Overview" />
      <h1>Overview</h1>
      <Checklist />
      <WaitingForYou />
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
              ? ` · ${stats.executions.by_status.error} ended in error or stopped`
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
