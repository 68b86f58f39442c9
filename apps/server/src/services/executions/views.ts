import type { ConnectionRecord } from '@airlock/egress';
import { RawJson } from '../../lib/exact-json.js';
import { isoOrNull, isoUtc } from '../../lib/time.js';
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

/** A line of the admin list. */
export function adminListItemView(row: ExecutionRow) {
  return {
    ...listItemView(row),
    profile_id: row.profileId,
    key_id: row.keyId,
    signature_version: row.signatureVersion,
    started_at: isoOrNull(row.startedAt),
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
