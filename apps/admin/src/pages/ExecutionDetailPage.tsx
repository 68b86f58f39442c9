import { useQuery } from '@tanstack/react-query';
import { Fragment, type ReactNode, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useLiveExecution } from '../api/live-execution';
import { executionQuery, isTerminal, useCancelExecution } from '../api/queries/executions';
import { profilesQuery } from '../api/queries/profiles';
import type { ExecutionDetail, ExecutionStatus, LlmExchange, NetworkRecord } from '../api/types';
import { ExecutionBadge } from '../components/Badges';
import { Confirm } from '../components/Confirm';
import { CopyButton } from '../components/CopyButton';
import { ErrorMessage } from '../components/ErrorMessage';
import { runTitle } from '../components/ExecutionsTable';
import { LiveOutput } from '../components/LiveOutput';
import { Loading } from '../components/Loading';
import { useNotify } from '../components/Notices';
import { PageTitle } from '../components/PageTitle';
import { RelativeTime, useNow } from '../components/RelativeTime';
import { TableBox } from '../components/TableBox';
import { formatDuration, prettyJson, shortId } from '../lib/format';
import { spanMs } from '../lib/relative-time';
import { UI } from '../paths';
import './ExecutionDetailPage.css';

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

/**
 * How long a run waited for LLM answers in all: each exchange from its question to its answer
 * (or to the run's end, or to now while it still waits). Null when the script asked nothing.
 */
export function llmWaitMs(
  exchanges: readonly Pick<LlmExchange, 'asked_at' | 'answered_at'>[],
  completedAt: string | null,
  now: number,
): number | null {
  if (exchanges.length === 0) return null;
  return exchanges.reduce(
    (sum, x) => sum + (spanMs(x.asked_at, x.answered_at ?? completedAt, now) ?? 0),
    0,
  );
}

/** The text with its first letter in capitals, to start a sentence. */
const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A byte count in the unit a person reads: `512 B`, `3.4 kB`, `1.2 MB`. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/**
 * One section of the run: a card whose heading opens and closes it (open at first). Its copy
 * button sits at the heading's end but belongs to the body (a summary holds no other control),
 * so it goes away with the body when the section is closed.
 */
function Part({
  id,
  title,
  tone,
  extra,
  copy,
  children,
}: {
  id: string;
  title: string;
  tone?: 'error' | 'quiet';
  /** A few words next to the title (a count), kept visible when the section is closed. */
  extra?: ReactNode;
  copy?: { text: string; label: string };
  children: ReactNode;
}) {
  const classes = [
    'card',
    'run-part',
    tone ? `run-part-${tone}` : '',
    copy ? 'run-part-copyable' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <section className={classes} aria-labelledby={id}>
      <details open>
        <summary>
          <h2 id={id}>{title}</h2>
          {extra ? <span className="run-part-extra">{extra}</span> : null}
        </summary>
        <div className="run-part-body">
          {copy ? (
            <div className="run-part-copy">
              <CopyButton text={copy.text} label={copy.label} />
            </div>
          ) : null}
          {children}
        </div>
      </details>
    </section>
  );
}

/** Stored text as it was written; a long one scrolls in its own box. */
function Text({ text }: { text: string }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable so keyboard users can scroll it (WCAG 2.1.1)
    <pre className="code" tabIndex={0}>
      {text}
    </pre>
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
  // The stored fields are those of the poll's status; `cancelled` comes with the terminal one.
  const cancelled = e.cancelled && status === 'error';
  const failed = isTerminal(e.status) && !cancelled && e.error !== null;
  return (
    <>
      <p className="crumbs">
        <Link to={UI.executions}>Executions</Link> / {e.execution_id}
      </p>
      <PageTitle title={`Execution ${cancelled ? 'cancelled' : e.status}`} />
      <h1 className="run-title">
        <span className="mono">{runTitle(e)}</span>
      </h1>
      <p className="mono small muted run-id-line">{e.execution_id}</p>
      <Summary e={e} status={status} cancelled={cancelled} profileName={profileName} />
      {live ? <StopExecution id={e.execution_id} /> : null}
      {cancelled ? (
        <p className="note run-cancelled">
          {/* The reason reads "cancelled by the admin", "cancelled: the profile was revoked"… */}
          <strong>{sentence(e.error ?? 'cancelled')}.</strong> The script was stopped; what it
          printed until then is kept below.
        </p>
      ) : null}
      {e.pruned_at ? (
        <p className="note" role="status">
          History retention removed this execution’s script, outputs, result and LLM exchanges on{' '}
          {new Date(e.pruned_at).toLocaleString()} (its status, times and redaction counts are
          kept).
        </p>
      ) : null}
      {failed && e.error ? (
        <Part
          id="run-error"
          title={e.status === 'timeout' ? 'Timed out' : 'Error'}
          tone="error"
          copy={{ text: e.error, label: 'Copy error' }}
        >
          <Text text={e.error} />
        </Part>
      ) : null}
      {live ? (
        <LiveOutput
          live={events}
          status={status}
          llmRequest={events.llmRequest ?? (status === 'awaiting_llm' ? e.llm_request : null)}
        />
      ) : null}
      {isTerminal(e.status) && e.result !== null && e.result !== undefined ? (
        <Part
          id="run-result"
          title="Result"
          copy={{ text: prettyJson(e.result), label: 'Copy result' }}
        >
          <Text text={prettyJson(e.result)} />
        </Part>
      ) : null}
      {e.stdout ? (
        <Part
          id="run-stdout"
          title="Standard output"
          copy={{ text: e.stdout, label: 'Copy output' }}
        >
          <Text text={e.stdout} />
        </Part>
      ) : null}
      {e.stderr ? (
        <Part
          id="run-stderr"
          title="Standard error"
          copy={{ text: e.stderr, label: 'Copy standard error' }}
        >
          <Text text={e.stderr} />
        </Part>
      ) : null}
      {e.llm_exchanges.length > 0 ? (
        <LlmExchanges exchanges={e.llm_exchanges} status={status} />
      ) : null}
      {e.network.length > 0 ? <Connections records={e.network} /> : null}
      {redactions.length > 0 ? (
        <Part
          id="redactions"
          title="Redactions"
          extra={`${redactions.reduce((n, [, k]) => n + k, 0)} masked`}
        >
          <p className="help">
            Credential values that appeared in this run’s output, result or error, each replaced by{' '}
            <code>[REDACTED:NAME]</code>.
          </p>
          <TableBox label="Redactions per credential">
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
          </TableBox>
        </Part>
      ) : null}
      {e.script ? (
        <Part
          id="run-script"
          title="Script"
          tone="quiet"
          copy={{ text: e.script, label: 'Copy script' }}
        >
          <Text text={e.script} />
        </Part>
      ) : null}
    </>
  );
}

/** The run at a glance: status, times (run time and LLM wait apart), profile, signature. */
function Summary({
  e,
  status,
  cancelled,
  profileName,
}: {
  e: ExecutionDetail;
  status: ExecutionStatus;
  cancelled: boolean;
  profileName: string;
}) {
  const now = useNow();
  const live = !isTerminal(status);
  const waited = llmWaitMs(e.llm_exchanges, e.completed_at, now);
  const redacted = Object.values(e.redaction_counts ?? {}).reduce((a, b) => a + b, 0);
  return (
    <section
      className={`card run-summary${status === 'awaiting_llm' ? ' run-summary-waiting' : ''}`}
      aria-label="Summary"
    >
      {/* The page's one live region: it announces status changes, never output. */}
      <p className="status-line" aria-live="polite">
        Status: <ExecutionBadge status={status} cancelled={cancelled} />
        {live ? <span className="muted"> (updating live)</span> : null}
        {status === 'awaiting_llm' ? (
          <span className="run-waiting-hint">
            {' '}
            The script is paused in <code>llm.complete()</code> until the agent posts its answer.
          </span>
        ) : null}
      </p>
      <dl className="run-facts">
        <div>
          <dt>Run time</dt>
          <dd>
            {e.execution_time_ms !== null
              ? formatDuration(e.execution_time_ms)
              : live && e.started_at
                ? `${formatDuration(Math.max(0, (spanMs(e.started_at, null, now) ?? 0) - (waited ?? 0)))} so far`
                : '—'}
            <span className="muted small"> (limit {e.timeout_seconds} s)</span>
          </dd>
        </div>
        {waited !== null ? (
          <div>
            <dt>Waited for the LLM</dt>
            <dd>
              {formatDuration(waited)}
              <span className="muted small">
                {' '}
                ({e.llm_exchanges.length} question{e.llm_exchanges.length === 1 ? '' : 's'}, not
                counted in run time)
              </span>
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Started</dt>
          <dd>
            <RelativeTime iso={e.started_at ?? e.created_at} />
          </dd>
        </div>
        {e.completed_at ? (
          <div>
            <dt>Finished</dt>
            <dd>
              <RelativeTime iso={e.completed_at} />
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Profile</dt>
          <dd>
            <Link to={UI.profile(e.profile_id)}>{profileName}</Link>
          </dd>
        </div>
        <div>
          <dt>Key id</dt>
          <dd className="mono small">{e.key_id}</dd>
        </div>
        <div>
          <dt>Signature</dt>
          <dd>version {e.signature_version}</dd>
        </div>
        <div>
          <dt>Redactions</dt>
          <dd>{redacted === 0 ? 'none: no credential value appeared' : `${redacted} masked`}</dd>
        </div>
      </dl>
    </section>
  );
}

function LlmExchanges({
  exchanges,
  status,
}: {
  exchanges: ExecutionDetail['llm_exchanges'];
  status: ExecutionStatus;
}) {
  return (
    <Part
      id="llm"
      title="LLM exchanges"
      extra={`${exchanges.length} question${exchanges.length === 1 ? '' : 's'}`}
    >
      <ol className="exchanges">
        {exchanges.map((x) => (
          <li key={x.seq}>
            <p className="exchange-meta">
              #{x.seq} · model <span className="mono">{x.model}</span> · asked{' '}
              <RelativeTime iso={x.asked_at} />
              {x.answered_at ? (
                <>
                  {' '}
                  · answered <RelativeTime iso={x.answered_at} /> (after{' '}
                  {formatDuration(spanMs(x.asked_at, x.answered_at, 0))})
                </>
              ) : null}
            </p>
            <div className="exchange-head">
              <h3>Prompt</h3>
              <CopyButton text={x.prompt} label={`Copy prompt #${x.seq}`} />
            </div>
            <Text text={x.prompt} />
            <div className="exchange-head">
              <h3>Answer</h3>
              {x.response !== null ? (
                <CopyButton text={x.response} label={`Copy answer #${x.seq}`} />
              ) : null}
            </div>
            {x.response !== null ? (
              <Text text={x.response} />
            ) : status === 'awaiting_llm' ? (
              <p className="run-waiting-hint">
                Waiting for the agent’s answer (<code>POST /executions/…/respond</code>).
              </p>
            ) : (
              <p className="muted">No answer: the run ended before the agent answered.</p>
            )}
          </li>
        ))}
      </ol>
    </Part>
  );
}

/** The network connection log: every attempt in order, allowed or denied, with why. */
function Connections({ records }: { records: NetworkRecord[] }) {
  const sorted = [...records].sort((a, b) => a.started_ms - b.started_ms);
  const denied = records.filter((c) => c.verdict !== 'allowed').length;
  return (
    <Part
      id="connections"
      title="Network connections"
      extra={`${records.length} attempt${records.length === 1 ? '' : 's'}${denied ? `, ${denied} denied` : ''}`}
    >
      <TableBox label="Connection log">
        <table className="connections">
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Verdict</th>
              <th scope="col">At</th>
              <th scope="col">Address</th>
              <th scope="col">Sent / received</th>
              <th scope="col">Open for</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((c) => (
              <Fragment key={`${c.started_ms}-${c.host}-${c.port}-${c.verdict}`}>
                <tr className={c.verdict === 'allowed' ? undefined : 'connection-denied'}>
                  <th scope="row" className="mono">
                    {c.host}:{c.port}
                  </th>
                  <td>
                    <span
                      className={c.verdict === 'allowed' ? 'badge badge-ok' : 'badge badge-revoked'}
                    >
                      {c.verdict}
                    </span>
                    {c.brokered ? <span className="badge badge-broker">brokered</span> : null}
                    {c.reason ? <span className="connection-reason">{c.reason}</span> : null}
                  </td>
                  <td className="nowrap">{formatDuration(c.started_ms)}</td>
                  <td className="mono">{c.address ?? '—'}</td>
                  <td className="nowrap">
                    {formatBytes(c.bytes_up)} / {formatBytes(c.bytes_down)}
                  </td>
                  <td className="nowrap">{formatDuration(c.duration_ms)}</td>
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
      </TableBox>
      <p className="help">
        “At” counts from the run’s first network use. A denied attempt never reached the host.
      </p>
    </Part>
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

function StopExecution({ id }: { id: string }) {
  const cancel = useCancelExecution(id);
  const notify = useNotify();
  const [confirming, setConfirming] = useState(false);
  return (
    <div className="run-stop">
      {confirming ? (
        <Confirm
          title="Stop this execution?"
          confirmLabel="Stop execution"
          cancelLabel="Keep running"
          danger
          pending={cancel.isPending}
          onCancel={() => setConfirming(false)}
          error={cancel.error}
          errorTitle="Not stopped"
          onConfirm={() =>
            cancel.mutate(undefined, {
              onSuccess: () => {
                setConfirming(false);
                notify.success('Execution stopped.');
              },
            })
          }
        >
          <p>
            The script is stopped at once and the run is marked cancelled. What it printed so far is
            kept.
          </p>
        </Confirm>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Stop execution…
        </button>
      )}
    </div>
  );
}
