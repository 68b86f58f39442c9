import { useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useLiveExecution } from '../api/live-execution';
import { executionQuery, isTerminal, useCancelExecution } from '../api/queries/executions';
import { profilesQuery } from '../api/queries/profiles';
import type { ExecutionDetail, NetworkRecord } from '../api/types';
import { ExecutionBadge } from '../components/Badges';
import { Confirm } from '../components/Confirm';
import { ErrorMessage } from '../components/ErrorMessage';
import { LiveOutput } from '../components/LiveOutput';
import { Loading } from '../components/Loading';
import { PageTitle } from '../components/PageTitle';
import { Time } from '../components/Time';
import { formatDuration, prettyJson, shortId } from '../lib/format';
import { UI } from '../paths';

export function ExecutionDetailPage() {
  const { id = '' } = useParams();
  const q = useQuery(executionQuery(id));
  if (q.isPending) return <Loading what="the execution" />;
  if (q.isError)
    return (
      <>
        <p className="crumbs">
          <Link to={UI.executions}>Executions</Link> / {id}
        </p>
        <PageTitle title="Execution" />
        <h1>Execution</h1>
        <ErrorMessage error={q.error} title="Could not load this execution" />
      </>
    );
  return <Detail e={q.data} />;
}

function Output({ title, text, empty }: { title: string; text: string | null; empty: string }) {
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      {text ? (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable so keyboard users can scroll it (WCAG 2.1.1)
        <pre className="code" tabIndex={0}>
          {text}
        </pre>
      ) : (
        <p className="muted">{empty}</p>
      )}
    </section>
  );
}

function Detail({ e }: { e: ExecutionDetail }) {
  const live = !isTerminal(e.status);
  const events = useLiveExecution(e.execution_id, live);
  // The events are newer than the 1.5 s poll while connected; otherwise the poll is.
  const status =
    (events.connection === 'open' || events.ended ? events.status : undefined) ?? e.status;
  const profiles = useQuery(profilesQuery());
  const profileName =
    profiles.data?.find((p) => p.id === e.profile_id)?.description || shortId(e.profile_id);
  const redactions = Object.entries(e.redaction_counts ?? {}).filter(([, n]) => n > 0);
  return (
    <>
      <p className="crumbs">
        <Link to={UI.executions}>Executions</Link> / {e.execution_id}
      </p>
      <PageTitle title={`Execution ${e.status}`} />
      <h1>
        Execution <span className="mono small">{e.execution_id}</span>
      </h1>
      {/* The page's one live region: it announces status changes, never output. */}
      <p className="status-line" aria-live="polite">
        Status: <ExecutionBadge status={status} />
        {live && !isTerminal(status) ? <span className="muted"> (updating live)</span> : null}
      </p>
      {live ? <CancelExecution id={e.execution_id} /> : null}
      {live ? (
        <LiveOutput
          live={events}
          status={status}
          llmRequest={events.llmRequest ?? (status === 'awaiting_llm' ? e.llm_request : null)}
        />
      ) : null}
      <dl className="facts">
        <dt>Profile</dt>
        <dd>
          <Link to={UI.profile(e.profile_id)}>{profileName}</Link>{' '}
          <span className="mono small">({e.key_id})</span>
        </dd>
        <dt>Signature</dt>
        <dd>v{e.signature_version}</dd>
        <dt>Created</dt>
        <dd>
          <Time iso={e.created_at} />
        </dd>
        <dt>Started</dt>
        <dd>
          <Time iso={e.started_at} />
        </dd>
        <dt>Finished</dt>
        <dd>
          <Time iso={e.completed_at} />
        </dd>
        <dt>Duration</dt>
        <dd>
          {formatDuration(e.execution_time_ms)}
          {e.timeout_seconds ? ` (timeout ${e.timeout_seconds} s)` : ''}
        </dd>
      </dl>
      <section className="card" aria-labelledby="redactions">
        <h2 id="redactions">Redactions</h2>
        {redactions.length === 0 ? (
          <p className="muted">No credential value appeared in this execution’s output.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Credential</th>
                <th scope="col">Times masked</th>
              </tr>
            </thead>
            <tbody>
              {redactions.map(([name, n]) => (
                <tr key={name}>
                  <th scope="row" className="mono">
                    {name}
                  </th>
                  <td>{n}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {e.pruned_at ? (
        <p className="note" role="status">
          History retention removed this execution’s script, outputs, result and LLM exchanges on{' '}
          {new Date(e.pruned_at).toLocaleString()} (its status, times and redaction counts are
          kept).
        </p>
      ) : null}
      {e.error ? <Output title="Error" text={e.error} empty="" /> : null}
      <Output
        title="Result"
        text={isTerminal(e.status) ? prettyJson(e.result) : null}
        empty={live ? 'Not finished yet.' : 'No result.'}
      />
      <Output
        title="Standard output"
        text={e.stdout}
        empty={live ? 'Stored when the run ends (see Live output).' : 'Nothing printed.'}
      />
      <Output
        title="Standard error"
        text={e.stderr}
        empty={live ? 'Stored when the run ends (see Live output).' : 'Nothing on stderr.'}
      />
      <Output title="Script" text={e.script} empty="(empty script)" />
      <section className="card" aria-labelledby="connections">
        <h2 id="connections">Network connections</h2>
        {e.network.length === 0 ? (
          <p className="muted">No connection attempts.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">Port</th>
                <th scope="col">Verdict</th>
                <th scope="col">Address</th>
                <th scope="col">Sent / received</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {e.network.map((c) => (
                <Fragment key={`${c.started_ms}-${c.host}-${c.port}-${c.verdict}`}>
                  <tr>
                    <th scope="row" className="mono">
                      {c.host}
                    </th>
                    <td className="mono">{c.port}</td>
                    <td>
                      <span className={c.verdict === 'allowed' ? 'badge' : 'badge badge-missing'}>
                        {c.verdict}
                      </span>
                      {c.brokered ? <span className="badge badge-broker">brokered</span> : null}
                      {c.reason ? <span className="muted"> {c.reason}</span> : null}
                    </td>
                    <td className="mono">{c.address ?? '—'}</td>
                    <td className="mono">
                      {c.bytes_up} B / {c.bytes_down} B
                    </td>
                    <td>{c.duration_ms} ms</td>
                  </tr>
                  {c.brokered || (c.placeholders && c.placeholders.length > 0) ? (
                    <tr className="panel-row">
                      <td colSpan={6}>
                        <BrokeredConnection record={c} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="llm">
        <h2 id="llm">LLM exchanges</h2>
        {e.llm_exchanges.length === 0 ? (
          <p className="muted">The script did not call llm.complete().</p>
        ) : (
          <ol className="exchanges">
            {e.llm_exchanges.map((x) => (
              <li key={x.seq}>
                <p>
                  #{x.seq} · model <span className="mono">{x.model}</span> · asked{' '}
                  <Time iso={x.asked_at} /> · answered <Time iso={x.answered_at} />
                </p>
                <h3>Prompt</h3>
                <pre className="code">{x.prompt}</pre>
                <h3>Response</h3>
                <pre className="code">{x.response ?? '(waiting for the agent)'}</pre>
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

const nameList = (list: string[] | undefined) =>
  list && list.length > 0 ? <span className="mono">{list.join(', ')}</span> : '—';

/**
 * What the proxy did on one connection to a brokered host: each HTTP request with the
 * credentials it put in and the placeholders it left, and placeholders that went to a host they
 * are not bound to (sent as they were: the value never left).
 */
function BrokeredConnection({ record: c }: { record: NetworkRecord }) {
  const stray = c.placeholders ?? [];
  const requests = c.brokered?.requests ?? [];
  const dropped = c.brokered?.dropped_requests ?? 0;
  return (
    <>
      {stray.length > 0 ? (
        <p className="warning">
          Placeholder{stray.length === 1 ? '' : 's'} of{' '}
          <span className="mono">{stray.join(', ')}</span> sent to a host{' '}
          {stray.length === 1 ? 'it is' : 'they are'} not bound to: sent unchanged.
        </p>
      ) : null}
      {c.brokered ? (
        requests.length === 0 ? (
          <p className="muted">No HTTP request was read on this connection.</p>
        ) : (
          <table className="sub-table">
            <caption>
              Requests to {c.host}:{c.port}
            </caption>
            <thead>
              <tr>
                <th scope="col">Method</th>
                <th scope="col">Status</th>
                <th scope="col">Credentials put in</th>
                <th scope="col">Placeholders left unchanged</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r, i) => (
                // Requests have no id; their order on the connection is what identifies them.
                <tr key={i}>
                  <td className="mono">{r.method || '—'}</td>
                  <td className="mono">{r.status || '—'}</td>
                  <td>{nameList(r.substituted)}</td>
                  <td>{nameList(r.unsubstituted)}</td>
                  <td>{r.error ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      {dropped > 0 ? (
        <p className="help">
          {dropped} more request{dropped === 1 ? '' : 's'} on this connection, counted but not
          recorded.
        </p>
      ) : null}
    </>
  );
}

function CancelExecution({ id }: { id: string }) {
  const cancel = useCancelExecution(id);
  const [confirming, setConfirming] = useState(false);
  return (
    <div>
      {confirming ? (
        <Confirm
          title="Cancel this execution?"
          confirmLabel="Cancel execution"
          danger
          pending={cancel.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() => cancel.mutate(undefined, { onSettled: () => setConfirming(false) })}
        >
          <p>The script is stopped; it ends with an error.</p>
        </Confirm>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Cancel execution…
        </button>
      )}
      <ErrorMessage error={cancel.error} />
    </div>
  );
}
