import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { auditQuery } from '../api/queries/audit';
import { ErrorMessage } from '../components/ErrorMessage';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { Time } from '../components/Time';

const PAGE = 50;

/** `{"name":"X","with_value":true}` → `name: X · with_value: true`, wrapping on narrow screens. */
export function AuditDetail({ detail }: { detail: Record<string, unknown> | null }) {
  if (!detail) return null;
  const entries = Object.entries(detail);
  return (
    <ul className="inline-list details">
      {entries.map(([k, v]) => (
        <li key={k}>
          <span className="muted">{k}:</span>{' '}
          <span className="mono">{typeof v === 'string' ? v : JSON.stringify(v)}</span>
        </li>
      ))}
    </ul>
  );
}

export function AuditPage() {
  const [offset, setOffset] = useState(0);
  const q = useQuery(auditQuery(PAGE, offset));
  const total = q.data?.total ?? 0;
  return (
    <>
      <PageTitle title="Audit log" />
      <h1>Audit log</h1>
      <p className="lead">Every change and sign-in, newest first. Values never appear here.</p>
      {q.isPending ? <Loading what="the audit log" /> : null}
      {q.isError ? <ErrorMessage error={q.error} title="Could not load the audit log" /> : null}
      {q.data?.entries.length === 0 ? <p className="empty">Nothing recorded yet.</p> : null}
      {q.data && q.data.entries.length > 0 ? (
        <>
          <p className="muted">
            {offset + 1}–{offset + q.data.entries.length} of {total}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">By</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {q.data.entries.map((a) => (
                <tr key={a.id}>
                  <td className="nowrap">
                    <Time iso={a.at} />
                  </td>
                  <th scope="row" className="mono small">
                    {a.action}
                  </th>
                  <td className="small wrap">
                    {a.target_type ? `${a.target_type} ` : ''}
                    <span className="mono">{a.target_id ?? ''}</span>
                  </td>
                  <td className="small">
                    {a.actor_type}
                    {a.client_ip ? ` · ${a.client_ip}` : ''}
                  </td>
                  <td className="small wrap">
                    <AuditDetail detail={a.detail} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {total > PAGE ? (
            <nav className="pager" aria-label="Pages">
              <button
                type="button"
                disabled={offset === 0}
                onClick={() => setOffset(Math.max(0, offset - PAGE))}
              >
                Newer
              </button>
              <button
                type="button"
                disabled={offset + PAGE >= total}
                onClick={() => setOffset(offset + PAGE)}
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
