import { screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventStream, fakeFetch, json, sse } from '../../test/fake-fetch';
import { renderWithApp } from '../../test/render';
import type { ExecutionDetail } from '../api/types';
import { ExecutionDetailPage } from './ExecutionDetailPage';

/**
 * The live output of a running execution, from `GET /executions/{id}/events` served by a fake
 * whose connections the test writes chunk by chunk.
 */

afterEach(() => {
  vi.unstubAllGlobals();
});

const ID = 'e1a2b3c4-0000-4000-8000-000000000002';
const DETAIL = `/api/admin/executions/${ID}`;
const EVENTS = `/executions/${ID}/events`;

const detail = (over: Partial<ExecutionDetail> = {}): ExecutionDetail => ({
  execution_id: ID,
  profile_id: 'p1',
  key_id: 'ark_k',
  status: 'running',
  script: 'print("first line")',
  stdout: null,
  stderr: null,
  result: null,
  error: null,
  error_summary: null,
  script_first_line: 'print("first line")',
  cancelled: false,
  execution_time_ms: null,
  timeout_seconds: 60,
  signature_version: 2,
  created_at: '2026-11-28T12:00:00Z',
  started_at: '2026-11-28T12:00:00Z',
  completed_at: null,
  redaction_counts: {},
  network: [],
  llm_request: null,
  llm_exchanges: [],
  pruned_at: null,
  ...over,
});

const finished = detail({
  status: 'completed',
  stdout: 'first line\nsecond line\n',
  stderr: '',
  result: 42,
  execution_time_ms: 3100,
  completed_at: '2026-11-28T12:00:03Z',
});

/** Serves `current()` as the detail and the events from a driven fake stream. */
function renderLive(current: () => ExecutionDetail) {
  const es = eventStream();
  const f = fakeFetch({
    [`GET ${DETAIL}`]: () => json(200, current()),
    'GET /api/admin/profiles': json(200, { profiles: [] }),
    [`GET ${EVENTS}`]: es.handler,
  });
  const detailCalls = () => f.calls.filter((c) => c.path === DETAIL).length;
  const utils = renderWithApp(
    <Routes>
      <Route path="/ui/executions/:id" element={<ExecutionDetailPage />} />
    </Routes>,
    `/ui/executions/${ID}`,
  );
  return { ...utils, es, f, detailCalls };
}

const liveRegion = () => screen.getByRole('region', { name: 'Live output' });
const liveStdout = () => within(liveRegion()).getByRole('figure', { name: 'Standard output' });
const preText = (el: HTMLElement) => el.querySelector('pre')?.textContent ?? '';

describe('execution detail: live output', () => {
  it('shows output as it streams in, before the end; on `end` refetches and shows the stored output', async () => {
    let current = detail();
    const { es, detailCalls } = renderLive(() => current);
    await screen.findByRole('region', { name: 'Live output' });
    await waitFor(() => expect(es.connections).toHaveLength(1));
    const conn = es.connections[0];
    expect(conn?.lastEventId).toBeNull();
    // The hint about the held-back tail is there while it runs.
    expect(liveRegion().textContent).toContain('The last 512 bytes of each stream are held back');

    // One event split in the middle of its JSON, a keep-alive comment, then the rest.
    const first = sse(2, 'stdout', { text: 'first line\n' });
    conn?.send(`${sse(1, 'status', { status: 'running' })}${first.slice(0, 25)}`);
    await within(liveRegion()).findByText('Running…');
    expect(preText(liveStdout())).toBe('');
    conn?.send(`${first.slice(25)}: keep-alive\n\n`);
    await waitFor(() => expect(preText(liveStdout())).toBe('first line\n'));
    conn?.send(sse(3, 'stderr', { text: 'warn: slow\n' }));
    const stderr = within(liveRegion()).getByRole('figure', { name: 'Standard error' });
    await waitFor(() => expect(preText(stderr)).toBe('warn: slow\n'));
    // Live text is not stored output: no stored section is shown before the end.
    expect(screen.queryByRole('region', { name: 'Standard output' })).toBeNull();

    // The poll runs every 1.5 s; the refetch after `end` must come well before the next one
    // (counted from now: a slow machine may already have polled once).
    const before = detailCalls();
    current = finished;
    conn?.send(
      `${sse(4, 'stdout', { text: 'second line\n' })}${sse(5, 'end', { execution_id: ID, status: 'completed', stdout: finished.stdout, result: 42 })}`,
    );
    await waitFor(() => expect(detailCalls()).toBeGreaterThan(before), { timeout: 700 });
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Live output' })).toBeNull());
    const stored = screen.getByRole('region', { name: 'Standard output' });
    expect(stored.querySelector('pre')?.textContent).toBe('first line\nsecond line\n');
    expect(screen.getByRole('region', { name: 'Result' }).textContent).toContain('42');
    expect(screen.getByText('completed', { selector: '.status-line .badge' })).toBeTruthy();
    // The stream ended: no reconnect.
    await new Promise((r) => setTimeout(r, 700));
    expect(es.connections).toHaveLength(1);
  });

  it('a dropped connection reconnects with Last-Event-ID and does not repeat text', async () => {
    const { es } = renderLive(() => detail());
    await waitFor(() => expect(es.connections).toHaveLength(1));
    // The server's log: a reconnect gets only events after its Last-Event-ID.
    const log = [
      sse(1, 'status', { status: 'running' }),
      sse(2, 'stdout', { text: 'one\n' }),
      sse(3, 'stdout', { text: 'two\n' }),
      sse(4, 'stdout', { text: 'three\n' }),
    ];
    es.connections[0]?.send(log.slice(0, 3).join(''));
    await waitFor(() => expect(preText(liveStdout())).toBe('one\ntwo\n'));
    es.connections[0]?.drop();
    await within(liveRegion()).findByText('Connection lost; reconnecting…');
    await waitFor(() => expect(es.connections).toHaveLength(2), { timeout: 3000 });
    const again = es.connections[1];
    expect(again?.lastEventId).toBe('3');
    again?.send(log.slice(Number(again.lastEventId ?? 0)).join(''));
    await waitFor(() => expect(preText(liveStdout())).toBe('one\ntwo\nthree\n'));
    await within(liveRegion()).findByText('Running…');
  });

  it('shows the prompt while the script waits for the agent, and drops it once it runs on', async () => {
    const { es } = renderLive(() => detail({ status: 'awaiting_llm' }));
    await waitFor(() => expect(es.connections).toHaveLength(1));
    es.connections[0]?.send(
      sse(1, 'status', { status: 'awaiting_llm' }) +
        sse(2, 'llm_request', { prompt: 'Summarise the invoice', model: 'small' }),
    );
    await within(liveRegion()).findByText('Waiting for the agent’s LLM answer.');
    expect(within(liveRegion()).getByText('Summarise the invoice')).toBeTruthy();
    expect(screen.getByText('awaiting LLM', { selector: '.status-line .badge' })).toBeTruthy();
    es.connections[0]?.send(sse(3, 'status', { status: 'running' }));
    await within(liveRegion()).findByText('Running…');
    expect(screen.queryByText('Summarise the invoice')).toBeNull();
    expect(screen.getByText('running', { selector: '.status-line .badge' })).toBeTruthy();
  });

  it('output chunks are not announced: only the status line is a live region', async () => {
    const { es, container } = renderLive(() => detail());
    await waitFor(() => expect(es.connections).toHaveLength(1));
    es.connections[0]?.send(sse(1, 'stdout', { text: 'hello\n' }));
    await waitFor(() => expect(preText(liveStdout())).toBe('hello\n'));
    // (Copy buttons and the app's notices announce what the reader did, which is not output.)
    const live = [
      ...container.querySelectorAll('[aria-live], [role="status"], [role="log"]'),
    ].filter((el) => !el.classList.contains('copy-status') && !el.closest('.notices'));
    expect(live.map((el) => el.className)).toEqual(['status-line']);
  });

  it('keeps the reader’s place when scrolled up, follows the end when at the bottom', async () => {
    const { es } = renderLive(() => detail());
    await waitFor(() => expect(es.connections).toHaveLength(1));
    const conn = es.connections[0];
    conn?.send(sse(1, 'stdout', { text: 'line 1\n' }));
    await waitFor(() => expect(preText(liveStdout())).toBe('line 1\n'));
    const pre = liveStdout().querySelector('pre') as HTMLPreElement;
    // jsdom has no layout: give the box a height and its content a growing height.
    let contentHeight = 1000;
    Object.defineProperty(pre, 'clientHeight', { configurable: true, value: 200 });
    Object.defineProperty(pre, 'scrollHeight', { configurable: true, get: () => contentHeight });

    pre.scrollTop = 800; // at the bottom
    pre.dispatchEvent(new Event('scroll'));
    contentHeight = 1200;
    conn?.send(sse(2, 'stdout', { text: 'line 2\n' }));
    await waitFor(() => expect(preText(liveStdout())).toBe('line 1\nline 2\n'));
    expect(pre.scrollTop).toBe(1200);

    pre.scrollTop = 300; // scrolled up to read
    pre.dispatchEvent(new Event('scroll'));
    contentHeight = 1400;
    conn?.send(sse(3, 'stdout', { text: 'line 3\n' }));
    await waitFor(() => expect(preText(liveStdout())).toBe('line 1\nline 2\nline 3\n'));
    expect(pre.scrollTop).toBe(300);
  });

  it('unmounting aborts the request and does not reconnect', async () => {
    const { es, unmount } = renderLive(() => detail());
    await waitFor(() => expect(es.connections).toHaveLength(1));
    es.connections[0]?.send(sse(1, 'stdout', { text: 'x' }));
    expect(es.connections[0]?.signal?.aborted).toBe(false);
    unmount();
    expect(es.connections[0]?.signal?.aborted).toBe(true);
    await new Promise((r) => setTimeout(r, 700));
    expect(es.connections).toHaveLength(1);
  });

  it('a finished execution opens no stream', async () => {
    const { f } = renderLive(() => finished);
    await screen.findByRole('region', { name: 'Standard output' });
    await new Promise((r) => setTimeout(r, 50));
    expect(f.calls.some((c) => c.path === EVENTS)).toBe(false);
    expect(screen.queryByRole('region', { name: 'Live output' })).toBeNull();
  });
});
