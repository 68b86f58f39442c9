import { useId, useLayoutEffect, useRef } from 'react';
import type { LiveExecution } from '../api/live-execution';
import type { ExecutionStatus, LlmRequest } from '../api/types';

/** Pixels from the bottom that still count as "at the bottom" (rounding, sub-pixel scroll). */
const BOTTOM_SLACK_PX = 8;

/**
 * A growing output stream: monospace, whitespace kept, and scrolled to its end as text arrives
 * unless the reader has scrolled up to read something.
 */
function LiveText({ title, text, empty }: { title: string; text: string; empty: string }) {
  const ref = useRef<HTMLPreElement>(null);
  const atBottom = useRef(true);
  const captionId = useId();
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || text === '' || !atBottom.current) return;
    el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <figure className="live-stream" aria-labelledby={captionId}>
      <figcaption id={captionId}>{title}</figcaption>
      {text ? (
        <pre
          ref={ref}
          className="code"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable so keyboard users can scroll it (WCAG 2.1.1)
          tabIndex={0}
          onScroll={(ev) => {
            const el = ev.currentTarget;
            atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK_PX;
          }}
        >
          {text}
        </pre>
      ) : (
        <p className="muted">{empty}</p>
      )}
    </figure>
  );
}

function statusText(live: LiveExecution, status: ExecutionStatus): string {
  if (live.ended) return 'Finished; loading the stored output…';
  if (live.connection === 'reconnecting') return 'Connection lost; reconnecting…';
  switch (status) {
    case 'pending':
      return 'Waiting to start…';
    case 'running':
      return 'Running…';
    case 'awaiting_llm':
      return 'Waiting for the agent’s LLM answer.';
    default:
      return `${status}…`;
  }
}

/**
 * The output of a running execution as it is produced (from its live events). Only the status
 * sentence may change on its own; it is not a live region because the page's status line above
 * already announces status changes, and output chunks are never announced.
 */
export function LiveOutput({
  live,
  status,
  llmRequest,
}: {
  live: LiveExecution;
  /** The latest known status: from the events, else from the detail query. */
  status: ExecutionStatus;
  llmRequest: LlmRequest | null;
}) {
  return (
    <section className="card live-output" aria-labelledby="live-output">
      <h2 id="live-output">Live output</h2>
      <p className="live-status">
        <span className="live-dot" aria-hidden="true" />
        {statusText(live, status)}
      </p>
      {llmRequest && !live.ended ? (
        <div className="note">
          Prompt (model <span className="mono">{llmRequest.model}</span>):
          <pre className="code">{llmRequest.prompt}</pre>
        </div>
      ) : null}
      {live.error ? (
        <p className="warning">
          Live output is not available ({live.error.message}). This page still refreshes every few
          seconds and shows the output when the run ends.
        </p>
      ) : null}
      <LiveText title="Standard output" text={live.stdout} empty="Nothing printed yet." />
      <LiveText title="Standard error" text={live.stderr} empty="Nothing on stderr yet." />
      <p className="help">
        The last 512 bytes of each stream are held back until more output follows or the run ends,
        so short output may only appear at the end.
      </p>
    </section>
  );
}
