/**
 * `airlock status`: the server's health (version, sandbox, queue) and, with a key, the profile's
 * recent executions.
 */
import type { StatusCommand } from './args.js';
import { AirlockClient, type ExecutionListItem, type FetchLike, type Health } from './client.js';
import { ExitCode, type ExitCodeValue } from './errors.js';

export interface StatusIo {
  stdout: (text: string) => void;
  fetch?: FetchLike;
}

export interface StatusReport {
  url: string;
  http_status: number;
  health: Health;
  executions?: ExecutionListItem[];
}

export function renderHealth(url: string, health: Health): string {
  const lines = [`Airlock ${health.version ?? '(unknown version)'} at ${url}: ${health.status}`];
  const sb = health.sandbox;
  if (sb) {
    const traits = [sb.ok ? 'ok' : 'NOT WORKING'];
    if (sb.seccomp) traits.push('seccomp');
    if (sb.accounting) {
      traits.push(
        sb.accounting.active
          ? `memory per run: ${sb.accounting.mechanism}`
          : 'memory per process only',
      );
    }
    if (sb.unconfined) traits.push('UNCONFINED');
    lines.push(`sandbox: ${sb.backend} (${traits.join(', ')})${sb.detail ? `: ${sb.detail}` : ''}`);
  }
  const q = health.queue;
  if (q) {
    lines.push(
      `queue: ${q.running} running, ${q.queued} queued (concurrency ${q.concurrency}, capacity ${q.capacity})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function renderExecutions(keyId: string, items: readonly ExecutionListItem[]): string {
  if (items.length === 0) return `no executions yet for ${keyId}\n`;
  const rows = items.map((e) => [
    e.execution_id,
    e.status,
    e.execution_time_ms === null ? '-' : `${e.execution_time_ms} ms`,
    e.created_at,
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const body = rows
    .map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  '))
    .join('\n');
  return `recent executions for ${keyId}:\n${body}\n`;
}

/** Exit 0 when the server is up and its sandbox works, 4 otherwise (or when it cannot be reached). */
export async function runStatus(cmd: StatusCommand, io: StatusIo): Promise<ExitCodeValue> {
  const client = new AirlockClient({ baseUrl: cmd.url, ...(io.fetch ? { fetch: io.fetch } : {}) });
  const { httpStatus, health } = await client.health();
  const report: StatusReport = { url: cmd.url, http_status: httpStatus, health };
  if (cmd.key !== undefined) report.executions = await client.listExecutions(cmd.key, cmd.limit);
  if (cmd.json) {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    io.stdout(renderHealth(cmd.url, health));
    if (cmd.key !== undefined && report.executions) {
      io.stdout(`\n${renderExecutions(cmd.key.keyId, report.executions)}`);
    }
  }
  return httpStatus === 200 && health.status === 'ok' ? ExitCode.ok : ExitCode.server;
}
