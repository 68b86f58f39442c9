import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.js';

/** Execution statuses, in contract order. */
export const executionStatuses = [
  'pending',
  'running',
  'awaiting_llm',
  'completed',
  'error',
  'timeout',
] as const;
export type ExecutionStatus = (typeof executionStatuses)[number];

/**
 * Executions. Every text column holds redacted text only: the server redacts before it writes.
 * `profileId` is kept as plain text (no foreign key) so history survives a deleted profile.
 */
export const executions = sqliteTable(
  'executions',
  {
    id: text('id').primaryKey(),
    profileId: text('profile_id').notNull(),
    keyId: text('key_id').notNull(),
    status: text('status', { enum: executionStatuses }).notNull(),
    /** The script as run, redacted (an agent may have written a secret into it). */
    script: text('script').notNull(),
    /** SHA-256 (hex) of the script as submitted: matches a retried request to its original. */
    scriptSha256: text('script_sha256').notNull().default(''),
    signatureVersion: integer('signature_version').notNull(),
    nonce: text('nonce'),
    timeoutSeconds: integer('timeout_seconds').notNull(),
    stdout: text('stdout'),
    stderr: text('stderr'),
    /** JSON text of the value passed to `set_result`, redacted. */
    resultJson: text('result_json'),
    error: text('error'),
    executionTimeMs: integer('execution_time_ms'),
    /** JSON object: credential name → number of masked occurrences (admin only). */
    redactionCounts: text('redaction_counts'),
    /**
     * JSON array of the run's connection attempts through the egress proxy (host, port,
     * verdict, reason, address, bytes each way, times), redacted like every output.
     */
    networkLog: text('network_log'),
    clientIp: text('client_ip'),
    /**
     * UTF-8 bytes of the history this execution keeps (script, outputs, result, error, LLM
     * prompts and answers), for the history size limit.
     */
    historyBytes: integer('history_bytes').notNull().default(0),
    /** When retention dropped its script, outputs and LLM exchanges (the row itself stays). */
    prunedAt: timestamp('pruned_at'),
    createdAt: timestamp('created_at').notNull(),
    startedAt: timestamp('started_at'),
    completedAt: timestamp('completed_at'),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    index('executions_profile_created').on(t.profileId, t.createdAt),
    index('executions_status').on(t.status),
    index('executions_created').on(t.createdAt),
    index('executions_unpruned').on(t.prunedAt, t.createdAt),
  ],
);

/** One `llm.complete` round trip of an execution (prompt and answer redacted). */
export const llmExchanges = sqliteTable(
  'llm_exchanges',
  {
    executionId: text('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    prompt: text('prompt').notNull(),
    model: text('model').notNull(),
    response: text('response'),
    askedAt: timestamp('asked_at').notNull(),
    answeredAt: timestamp('answered_at'),
  },
  (t) => [primaryKey({ columns: [t.executionId, t.seq] })],
);

/**
 * Version-2 signature nonces seen per key, kept for twice the signature window. The nonce is
 * also the idempotency key: a retry with a seen nonce gets `executionId` back.
 */
export const nonces = sqliteTable(
  'nonces',
  {
    keyId: text('key_id').notNull(),
    nonce: text('nonce').notNull(),
    executionId: text('execution_id').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.nonce] }), index('nonces_expires').on(t.expiresAt)],
);
