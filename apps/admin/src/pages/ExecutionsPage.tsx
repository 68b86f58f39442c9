import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { executionsQuery } from '../api/queries/executions';
import { profilesQuery } from '../api/queries/profiles';
import { EXECUTION_STATUSES, type ExecutionFilters, type ExecutionStatus } from '../api/types';
import { DayRangeFields } from '../components/DayRangeFields';
import { ErrorMessage } from '../components/ErrorMessage';
import { ExecutionsTable } from '../components/ExecutionsTable';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { shortId } from '../lib/format';

const PAGE = 50;

/** `YYYY-MM-DD` (a date input) → the ISO instant of that local day's start (or end). */
export function dayToIso(day: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const d = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The filters live in the URL, so a filtered list is a link that can be reloaded or shared. */
export function filtersFromSearch(sp: URLSearchParams): ExecutionFilters {
  const status = sp.get('status');
  const offset = Number(sp.get('offset') ?? '0');
  return {
    profile_id: sp.get('profile_id') || undefined,
    status: (EXECUTION_STATUSES as readonly string[]).includes(status ?? '')
      ? (status as ExecutionStatus)
      : undefined,
    since: dayToIso(sp.get('since') ?? '', false),
    until: dayToIso(sp.get('until') ?? '', true),
    limit: PAGE,
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

export function ExecutionsPage() {
  const [sp, setSp] = useSearchParams();
  const filters = filtersFromSearch(sp);
  const list = useQuery(executionsQuery(filters));
  const profiles = useQuery(profilesQuery());
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(sp);
    if (value) next.set(name, value);
    else next.delete(name);
    next.delete('offset');
    setSp(next);
  };
  const offset = filters.offset ?? 0;
  const total = list.data?.total ?? 0;
  const filtered = ['profile_id', 'status', 'since', 'until'].some((k) => sp.get(k));
  return (
    <>
      <PageTitle title="Executions" />
      <h1>Executions</h1>
      <form className="filters" aria-label="Filter executions" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label htmlFor="f-profile">Profile</label>
          <select
            id="f-profile"
            className="filter-control"
            value={sp.get('profile_id') ?? ''}
            onChange={(e) => set('profile_id', e.currentTarget.value)}
          >
            <option value="">All profiles</option>
            {(profiles.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.description || shortId(p.id)}
              </option>
            ))}
            {sp.get('profile_id') &&
            !(profiles.data ?? []).some((p) => p.id === sp.get('profile_id')) ? (
              <option value={sp.get('profile_id') ?? ''}>{sp.get('profile_id')}</option>
            ) : null}
          </select>
        </div>
        <div>
          <label htmlFor="f-status">Status</label>
          <select
            id="f-status"
            className="filter-control"
            value={sp.get('status') ?? ''}
            onChange={(e) => set('status', e.currentTarget.value)}
          >
            <option value="">Any status</option>
            {EXECUTION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </div>
        <DayRangeFields
          idPrefix="f"
          since={sp.get('since') ?? ''}
          until={sp.get('until') ?? ''}
          onChange={set}
        />
        {filtered ? (
          <button type="button" onClick={() => setSp(new URLSearchParams())}>
            Clear filters
          </button>
        ) : null}
      </form>
      {list.isPending ? <Loading what="executions" /> : null}
      {list.isError ? <ErrorMessage error={list.error} title="Could not load executions" /> : null}
      <div aria-live="polite">
        {list.data && list.data.executions.length === 0 ? (
          <p className="empty">
            {filtered
              ? 'No executions match these filters. Widen them or clear them.'
              : 'No executions yet. They appear here when an agent sends a signed script to POST /execute with a locked profile’s key.'}
          </p>
        ) : null}
      </div>
      {list.data && list.data.executions.length > 0 ? (
        <>
          <p className="muted">
            {offset + 1}–{offset + list.data.executions.length} of {total} · updates by itself while
            this page is open
          </p>
          <ExecutionsTable
            // A new filter or page is a new table: its rows are not "new" runs.
            key={JSON.stringify(filters)}
            label="Executions, newest first"
            executions={list.data.executions}
            profileName={(id) =>
              profiles.data?.find((p) => p.id === id)?.description || shortId(id)
            }
            showError
          />
          {total > PAGE ? (
            <nav className="pager" aria-label="Pages">
              <button
                type="button"
                disabled={offset === 0}
                onClick={() => {
                  const next = new URLSearchParams(sp);
                  next.set('offset', String(Math.max(0, offset - PAGE)));
                  setSp(next);
                }}
              >
                Newer
              </button>
              <button
                type="button"
                disabled={offset + PAGE >= total}
                onClick={() => {
                  const next = new URLSearchParams(sp);
                  next.set('offset', String(offset + PAGE));
                  setSp(next);
                }}
              >
                Older
              </button>
            </nav>
          ) : null}
        </>
      ) : null}
    </>
  );
}
