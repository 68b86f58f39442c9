import type { ConnectionRecord } from '@airlock/egress';
import { RawJson } from '../../lib/exact-json.js';
import { isoOrNull, isoUtc } from '../../lib/time.js';
import { isCancellation } from './cancellation.js';
import { type ExecutionRow, type LlmExchangeRow, TERMINAL } from './queries.js';

/** The stored result text, written as it is (exact numbers): serialize with `stringifyExact`. */
const resultOf = (json: string | null): RawJson | null =>
  json === null ? null : new RawJson(json);

/**
 * The poll shape (contract): `{execution_id, status}` while pending or running; plus
 * `llm_request` and a top-level `prompt` while awaiting the LLM; every field once terminal.
 * All text here was redacted before it was stored.
 */
export function pollView(row: ExecutionRow, pending: LlmExchangeRow | undefined) {
  const base = { execution_id: row.id, status: row.status };
  if (row.status === 'awaiting_llm' && pending) {
    return {
      ...base,
      llm_request: { prompt: pending.prompt, model: pending.model },
      prompt: pending.prompt,
    };
  }
  if (!TERMINAL.has(row.status)) return base;
  return {
    ...base,
    result: resultOf(row.resultJson),
    stdout: row.stdout ?? '',
    stderr: row.stderr ?? '',
    error: row.error,
    execution_time_ms: row.executionTimeMs,
    network: networkLog(row).map((r) => ({
      host: r.host,
      port: r.port,
      verdict: r.verdict,
      ...(r.reason === undefined ? {} : { reason: r.reason }),
      ...brokering(r),
    })),
  };
}

/** What a connection record says about brokered credentials (names only). */
function brokering(r: ConnectionRecord) {
  return {
    ...(r.brokered === undefined
      ? {}
      : {
          brokered: {
            requests: r.brokered.requests,
            dropped_requests: r.brokered.droppedRequests,
          },
        }),
    ...(r.placeholders === undefined ? {} : { placeholders: r.placeholders }),
  };
}

/** The stored connection log (redacted when stored); none for runs without network. */
function networkLog(row: ExecutionRow): ConnectionRecord[] {
  if (row.networkLog === null) return [];
  try {
    return JSON.parse(row.networkLog) as ConnectionRecord[];
  } catch {
    return [];
  }
}

/** A line of `GET /executions` (profile) . */
export function listItemView(row: ExecutionRow) {
  return {
    execution_id: row.id,
    status: row.status,
    execution_time_ms: row.executionTimeMs,
    created_at: isoUtc(row.createdAt),
    completed_at: isoOrNull(row.completedAt),
  };
}

/** Characters of a script's first line the list shows (the detail has the whole script). */
export const FIRST_LINE_MAX = 120;

/** A line's leading blanks, then the rest of the line from its first visible character. */
const FIRST_NON_BLANK_LINE = /^[^\S\r\n]*(\S[^\r\n]*)/m;

/**
 * The first line of a script that is not blank, trimmed and cut to {@link FIRST_LINE_MAX}
 * characters (`…` marks a cut); null for a script with none (blank, or pruned by retention).
 */
export function scriptFirstLine(script: string): string | null {
  // Reads only up to that line: scripts can be long, and a list has many.
  const line = FIRST_NON_BLANK_LINE.exec(script)?.[1]?.trimEnd();
  if (line === undefined) return null;
  const chars = Array.from(line); // by code point: a cut never splits a surrogate pair
  return chars.length <= FIRST_LINE_MAX ? line : `${chars.slice(0, FIRST_LINE_MAX - 1).join('')}…`;
}

/** Whether a run was stopped from outside (an admin's cancel, its key's revocation or regeneration). */
export function wasCancelled(row: Pick<ExecutionRow, 'status' | 'error'>): boolean {
  return row.status === 'error' && isCancellation(row.error);
}

/** A line of the admin list. */
export function adminListItemView(row: ExecutionRow) {
  return {
    ...listItemView(row),
    profile_id: row.profileId,
    key_id: row.keyId,
    signature_version: row.signatureVersion,
    started_at: isoOrNull(row.startedAt),
    script_first_line: scriptFirstLine(row.script),
    cancelled: wasCancelled(row),
    error_summary:
      row.error === null ? null : (row.error.trim().split('\n').at(-1) ?? '').slice(0, 200),
    pruned_at: isoOrNull(row.prunedAt),
  };
}

/** The admin detail: script, outputs, redaction counts and the LLM exchanges. */
export function adminDetailView(row: ExecutionRow, exchanges: LlmExchangeRow[]) {
  const pending = exchanges.find((e) => e.response === null);
  return {
    ...adminListItemView(row),
    script: row.script,
    stdout: row.stdout,
    stderr: row.stderr,
    result: resultOf(row.resultJson),
    error: row.error,
    timeout_seconds: row.timeoutSeconds,
    network: networkLog(row).map((r) => ({
      host: r.host,
      port: r.port,
      verdict: r.verdict,
      ...(r.reason === undefined ? {} : { reason: r.reason }),
      ...(r.address === undefined ? {} : { address: r.address }),
      ...brokering(r),
      bytes_up: r.bytesUp,
      bytes_down: r.bytesDown,
      started_ms: r.startedMs,
      duration_ms: r.durationMs,
    })),
    redaction_counts:
      row.redactionCounts === null
        ? {}
        : (JSON.parse(row.redactionCounts) as Record<string, number>),
    llm_request:
      row.status === 'awaiting_llm' && pending
        ? { prompt: pending.prompt, model: pending.model }
        : null,
    llm_exchanges: exchanges.map((e) => ({
      seq: e.seq,
      prompt: e.prompt,
      model: e.model,
      response: e.response,
      asked_at: isoUtc(e.askedAt),
      answered_at: isoOrNull(e.answeredAt),
    })),
  };
}
