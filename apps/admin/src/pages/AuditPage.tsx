import { useMutation, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api } from '../api/client';
import { auditQuery } from '../api/queries/audit';
import type { AuditActionKind, AuditEntry, AuditFilters, AuditQuery } from '../api/types';
import { AuditSentence } from '../components/AuditSentence';
import '../components/AuditLog.css';
import { DayRangeFields } from '../components/DayRangeFields';
import { ErrorMessage } from '../components/ErrorMessage';
import { Loading } from '../components/Loading';
import { useNotify } from '../components/Notices';
import { PageTitle } from '../components/PageTitle';
import { Time } from '../components/Time';
import { saveBlob } from '../lib/download';
import { dayToIso } from './ExecutionsPage';

const PAGE = 50;

type ActorType = NonNullable<AuditQuery['actor_type']>;
type TargetType = NonNullable<AuditQuery['target_type']>;

/** The actor filter's words; one entry per actor type of the spec (a new one fails to compile). */
const ACTORS: Record<ActorType, string> = {
  admin: 'Admin',
  profile: 'An agent with a profile key',
  agent: 'An agent without a key',
  system: 'Airlock itself',
};

const TARGETS: Record<TargetType, string> = {
  credential: 'A credential',
  profile: 'A profile',
  execution: 'An execution',
  egress_ca: 'The egress certificate',
};

const FILTER_NAMES = ['action', 'actor_type', 'target_type', 'since', 'until'] as const;

function oneOf<T extends string>(labels: Record<T, string>, v: string | null): T | undefined {
  return v !== null && Object.hasOwn(labels, v) ? (v as T) : undefined;
}

/**
 * The filters live in the URL (a filtered log is a link). Unknown actor and target types are
 * dropped; the action goes as written (the server says what is wrong with a malformed one).
 */
export function auditFiltersFromSearch(sp: URLSearchParams): AuditFilters {
  return {
    action: sp.get('action') || undefined,
    actor_type: oneOf(ACTORS, sp.get('actor_type')),
    target_type: oneOf(TARGETS, sp.get('target_type')),
    since: dayToIso(sp.get('since') ?? '', false),
    until: dayToIso(sp.get('until') ?? '', true),
  };
}

/** The action filter's choices: per group, "any of the group" first, then each action. */
export function actionGroups(
  kinds: AuditActionKind[],
): { group: string; prefix: string; actions: AuditActionKind[] }[] {
  const groups = new Map<string, { group: string; prefix: string; actions: AuditActionKind[] }>();
  for (const k of kinds) {
    const prefix = k.action.slice(0, k.action.indexOf('.'));
    const g = groups.get(prefix) ?? { group: k.group, prefix, actions: [] };
    g.actions.push(k);
    groups.set(prefix, g);
  }
  return [...groups.values()];
}

/** The facts an entry recorded (`detail`), collapsed: installer output can be long. */
function AuditDetail({ detail }: { detail: AuditEntry['detail'] }) {
  if (!detail || Object.keys(detail).length === 0) return null;
  return (
    <details>
      <summary>Recorded details</summary>
      <dl className="audit-detail">
        {Object.entries(detail).map(([k, v]) => (
          <div key={k}>
            <dt>{k.replaceAll('_', ' ')}</dt>
            <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

export function AuditPage() {
  const [sp, setSp] = useSearchParams();
  const filters = auditFiltersFromSearch(sp);
  const rawOffset = Number(sp.get('offset') ?? '0');
  const offset = Number.isInteger(rawOffset) && rawOffset > 0 ? rawOffset : 0;
  const q = useQuery(auditQuery({ ...filters, limit: PAGE, offset }));
  const notify = useNotify();
  const download = useMutation({
    mutationFn: () => api.audit.csv(filters),
    onSuccess: (file) => {
      saveBlob(file.blob, file.filename);
      notify.success(`Downloaded ${file.filename}.`);
    },
  });
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(sp);
    if (value) next.set(name, value);
    else next.delete(name);
    next.delete('offset');
    setSp(next);
  };
  const page = (to: number) => {
    const next = new URLSearchParams(sp);
    next.set('offset', String(to));
    setSp(next);
  };
  const filtered = FILTER_NAMES.some((k) => sp.get(k));
  const total = q.data?.total ?? 0;
  const entries = q.data?.entries ?? [];
  const action = sp.get('action') ?? '';
  const groups = actionGroups(q.data?.actions ?? []);
  return (
    <>
      <PageTitle title="Audit log" />
      <h1>Audit log</h1>
      <p className="lead">
        Every change and sign-in, newest first, with who did it. Values, keys and passwords never
        appear here.
      </p>
      <form
        className="filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => e.preventDefault()}
      >
        <div>
          <label htmlFor="a-action">What</label>
          <select
            id="a-action"
            className="filter-control"
            value={action}
            onChange={(e) => set('action', e.currentTarget.value)}
          >
            <option value="">Any action</option>
            {groups.map((g) => (
              <optgroup key={g.prefix} label={g.group}>
                <option value={`${g.prefix}.*`}>{g.group}: any</option>
                {g.actions.map((k) => (
                  <option key={k.action} value={k.action}>
                    {k.label}
                  </option>
                ))}
              </optgroup>
            ))}
            {action && !groups.length ? <option value={action}>{action}</option> : null}
          </select>
        </div>
        <div>
          <label htmlFor="a-actor">Who</label>
          <select
            id="a-actor"
            className="filter-control"
            value={filters.actor_type ?? ''}
            onChange={(e) => set('actor_type', e.currentTarget.value)}
          >
            <option value="">Anyone</option>
            {Object.entries(ACTORS).map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="a-target">About</label>
          <select
            id="a-target"
            className="filter-control"
            value={filters.target_type ?? ''}
            onChange={(e) => set('target_type', e.currentTarget.value)}
          >
            <option value="">Anything</option>
            {Object.entries(TARGETS).map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <DayRangeFields
          idPrefix="a"
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
      {q.isPending ? <Loading what="the audit log" /> : null}
      {q.isError ? <ErrorMessage error={q.error} title="Could not load the audit log" /> : null}
      <div aria-live="polite">
        {q.data && entries.length === 0 ? (
          <p className="empty">
            {filtered
              ? 'Nothing recorded matches these filters. Widen them or clear them.'
              : 'Nothing recorded yet.'}
          </p>
        ) : null}
      </div>
      {q.data && entries.length > 0 ? (
        <>
          <div className="audit-toolbar">
            <p className="muted">
              {offset + 1}–{offset + entries.length} of {total}
              {filtered ? ' matching the filters' : ''}
            </p>
            <div className="audit-export">
              <button
                type="button"
                onClick={() => download.mutate()}
                disabled={download.isPending}
                aria-describedby="csv-help"
              >
                {download.isPending ? 'Preparing CSV…' : 'Download CSV'}
              </button>
              <p id="csv-help" className="help">
                Every {filtered ? 'matching ' : ''}entry ({total}), not just this page.
              </p>
            </div>
          </div>
          <ErrorMessage error={download.error} title="Could not export the audit log" />
          <ol className="audit-list" aria-label="Audit entries, newest first">
            {entries.map((a) => (
              <li key={a.id} className="audit-entry">
                <p className="audit-sentence">
                  <AuditSentence parts={a.sentence} />
                </p>
                <p className="audit-meta">
                  <Time iso={a.at} />
                  {a.client_ip ? <span>from {a.client_ip}</span> : null}
                  <span className="mono">{a.action}</span>
                </p>
                <AuditDetail detail={a.detail} />
              </li>
            ))}
          </ol>
          {total > PAGE ? (
            <nav className="pager" aria-label="Pages">
              <button
                type="button"
                disabled={offset === 0}
                onClick={() => page(Math.max(0, offset - PAGE))}
              >
                Newer
              </button>
              <button
                type="button"
                disabled={offset + PAGE >= total}
                onClick={() => page(offset + PAGE)}
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
