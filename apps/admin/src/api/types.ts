/**
 * Wire shapes of the Airlock API, written by hand from `specs/openapi.json` (components and
 * responses of `/api/admin/*`). The execution and stats shapes follow the agreed contract for the
 * endpoints being built alongside this app. Keep every API type here.
 */

/** One FastAPI-style validation issue (422 `detail` array). */
export interface ValidationIssue {
  type: string;
  loc: Array<string | number>;
  msg: string;
  input?: unknown;
}

/** Every error body: `detail` is a message, or for 422 a list of issues. */
export interface ErrorBody {
  detail: string | ValidationIssue[];
  code?: string;
  request_id?: string;
}

export interface AdminStatus {
  setup_required: boolean;
  setup_code_file: string | null;
}

export interface SessionToken {
  token: string;
  expires_at: string;
}

export interface SessionInfo {
  authenticated: true;
  expires_at: string;
}

export interface CredentialUse {
  profile_id: string;
  locked: boolean;
  revoked: boolean;
}

/**
 * How a credential's value reaches a script. `inject`: the script reads the value in
 * `settings[NAME]`. `broker`: the script reads a placeholder, and the egress proxy puts the value
 * into HTTP requests to `hosts` only (1 to 20 entries: `api.example.com`, `*.example.com`, with
 * optional `:ports` as in network policy entries), so the value never enters the sandbox.
 */
export type CredentialDelivery = { mode: 'inject' } | { mode: 'broker'; hosts: string[] };

export interface AdminCredential {
  id: string;
  name: string;
  description: string;
  has_value: boolean;
  delivery: CredentialDelivery;
  /** false when the stored value is too short for the redactor to mask; null without a value. */
  redactable: boolean | null;
  value_updated_at: string | null;
  used_by: CredentialUse[];
  created_at: string;
  updated_at: string;
}

/** Without `delivery` the server stores `{mode: 'inject'}`. */
export interface CreateCredentialInput {
  name: string;
  description?: string;
  value?: string;
  delivery?: CredentialDelivery;
}

/** `value: null` clears the stored value; an absent field leaves it as is. */
export interface UpdateCredentialInput {
  description?: string;
  value?: string | null;
  delivery?: CredentialDelivery;
}

/**
 * The instance certificate authority the egress proxy uses to intercept TLS to brokered hosts
 * (`GET /api/admin/egress-ca`, and the answer of `POST /api/admin/egress-ca/rotate`). Public.
 */
export interface EgressCa {
  /** PEM. */
  certificate: string;
  /** `AB:CD:…` */
  fingerprint_sha256: string;
  not_before: string;
  not_after: string;
  /** `CN=…` */
  subject: string;
}

export interface ProfileCredential {
  name: string;
  description: string;
  has_value: boolean;
}

/** A profile's network policy: which hosts its scripts may reach (frozen at lock). */
export interface NetworkPolicy {
  mode: 'none' | 'allowlist' | 'open';
  allow: string[];
}

/** One HTTP request on a connection to a brokered host (credential names only, never values). */
export interface BrokeredRequest {
  method: string;
  /** The upstream's status, or the proxy's own (502, 413, 400); 0 when there was no answer. */
  status: number;
  /** Credentials whose value the proxy put in. */
  substituted: string[];
  /** Placeholders left as they were (not bound to this host, or not placeable). */
  unsubstituted?: string[];
  /** Why the proxy answered itself. */
  error?: string;
}

/** One connection attempt of a run, as the admin sees it. */
export interface NetworkRecord {
  host: string;
  port: number;
  verdict: 'allowed' | 'denied';
  reason?: string;
  address?: string;
  bytes_up: number;
  bytes_down: number;
  started_ms: number;
  duration_ms: number;
  /** Present when the proxy read the connection as HTTP to a brokered host. */
  brokered?: {
    requests: BrokeredRequest[];
    /** Requests beyond those recorded, only counted (`droppedRequests` in @airlock/egress). */
    dropped_requests: number;
  };
  /** Brokered credentials whose placeholder went to this host, which they are not bound to. */
  placeholders?: string[];
}

export interface AdminProfile {
  id: string;
  description: string;
  locked: boolean;
  key_id: string | null;
  credentials: ProfileCredential[];
  network: NetworkPolicy;
  expires_at: string | null;
  expired: boolean;
  revoked: boolean;
  require_signature_v2: boolean;
  locked_at: string | null;
  revoked_at: string | null;
  created_at: string;
  updated_at: string;
}

/** Lock and regenerate answers: the profile plus `ark_<key id>:<secret>`, shown exactly once. */
export interface AdminProfileWithKey extends AdminProfile {
  key: string;
}

export interface CreateProfileInput {
  description?: string;
  expires_at?: string;
  require_signature_v2?: boolean;
}

/** `expires_at: null` clears the expiry. */
export interface UpdateProfileInput {
  description?: string;
  expires_at?: string | null;
  require_signature_v2?: boolean;
  network?: NetworkPolicy;
}

/** The agent view of a profile (`GET /profiles/{id}`), used by tests and the snippet. */
export interface AgentProfile {
  id: string;
  description: string;
  locked: boolean;
  key_id: string | null;
  credentials: Array<{ name: string; description: string; value_exists: boolean }>;
  network: NetworkPolicy;
  expires_at: string | null;
  expired: boolean;
  revoked: boolean;
  created_at: string;
  updated_at: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor_type: string;
  actor_id: string | null;
  client_ip: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditPage {
  entries: AuditEntry[];
  total: number;
}

export interface ImportPlan {
  exported_at: string;
  credentials: { new: string[]; duplicate: string[] };
  profiles: { new: string[]; duplicate: string[]; conflicting_key: string[] };
  requirements: { new: string[]; duplicate: string[] };
}

export type ImportStrategy = 'skip' | 'overwrite';

export interface ImportResult extends ImportPlan {
  strategy: ImportStrategy;
}

export const EXECUTION_STATUSES = [
  'pending',
  'running',
  'awaiting_llm',
  'completed',
  'error',
  'timeout',
] as const;

export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set([
  'completed',
  'error',
  'timeout',
]);

export interface ExecutionSummary {
  execution_id: string;
  profile_id: string;
  key_id: string;
  status: ExecutionStatus;
  signature_version: number;
  execution_time_ms: number | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  error_summary: string | null;
  /** When history retention dropped the script, outputs and result (the row stays). */
  pruned_at: string | null;
}

export interface ExecutionPage {
  executions: ExecutionSummary[];
  total: number;
}

export interface ExecutionFilters {
  profile_id?: string;
  status?: ExecutionStatus;
  /** ISO-8601 */
  since?: string;
  /** ISO-8601 */
  until?: string;
  limit?: number;
  offset?: number;
}

export interface LlmExchange {
  seq: number;
  prompt: string;
  model: string;
  response: string | null;
  asked_at: string;
  answered_at: string | null;
}

export interface ExecutionDetail {
  execution_id: string;
  profile_id: string;
  key_id: string;
  status: ExecutionStatus;
  script: string;
  stdout: string | null;
  stderr: string | null;
  result: unknown;
  error: string | null;
  execution_time_ms: number | null;
  timeout_seconds: number | null;
  signature_version: number;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  redaction_counts: Record<string, number>;
  network: NetworkRecord[];
  llm_request: LlmRequest | null;
  llm_exchanges: LlmExchange[];
  pruned_at: string | null;
}

/** `GET /executions/{id}` (the agent's poll body); `end` of the live events carries it. */
export interface ExecutionPoll {
  execution_id: string;
  status: ExecutionStatus;
  llm_request?: LlmRequest;
  result?: unknown;
  stdout?: string;
  stderr?: string;
  error?: string | null;
  execution_time_ms?: number | null;
}

export interface LlmRequest {
  prompt: string;
  model: string;
}

/**
 * The events of `GET /executions/{id}/events`: status changes, a pause in `llm.complete`,
 * redacted output chunks as produced (each stream's last 512 bytes held back until more follows
 * or the run ends), and `end` with the terminal poll body, after which the stream closes.
 */
export type ExecutionEvent =
  | { event: 'status'; id: string; data: { status: ExecutionStatus } }
  | { event: 'llm_request'; id: string; data: LlmRequest }
  | { event: 'stdout' | 'stderr'; id: string; data: { text: string } }
  | { event: 'end'; id: string; data: ExecutionPoll };

export interface Stats {
  credentials: { total: number; with_value: number; missing_value: number };
  profiles: {
    total: number;
    unlocked: number;
    locked: number;
    revoked: number;
    expired: number;
    expiring_soon: number;
  };
  executions: { total: number; last_24h: number; by_status: Partial<Record<string, number>> };
  /** `waiting`: runs paused in llm.complete (they hold no slot); absent from older servers. */
  queue: {
    running: number;
    waiting?: number;
    queued: number;
    concurrency: number;
    capacity: number;
  };
  /** `ok` is not sent by every server version; absent means unknown. */
  sandbox: {
    backend: string;
    ok?: boolean;
    /** Whether each run's memory and processes are bounded as a whole (a cgroup per run). */
    accounting?: { active: boolean; mechanism: 'cgroup-v2' | 'cgroup-v1' | 'none'; detail: string };
  };
  /** Execution history kept against its limits (absent from older servers). */
  history?: {
    bytes: number;
    limit_bytes: number;
    retention_days: number;
    pruned_executions: number;
    database_bytes: number;
  };
}

export interface InstalledPackage {
  name: string;
  spec: string;
  version: string | null;
  /** `shared` (every profile's scripts import it), or the profile whose scripts alone do. */
  scope: string;
  installed_at: string;
}

export interface InstallRequirementsInput {
  packages: string[];
  /** `shared` (default) or a profile id. */
  scope?: string;
}

export interface Requirements {
  packages: InstalledPackage[];
}

/** The admin's view: also Debian's python3 packages and recent failed installs. */
export interface AdminRequirements extends Requirements {
  system: Array<{ name: string; version: string }>;
  failures: Array<{
    at: string;
    actor_type: string;
    packages: string[];
    scope: string;
    reason: string;
    output: string;
  }>;
}

/** An install's answer: what pip installed now, and the whole list. */
export interface InstallAnswer extends Requirements {
  installed: Array<{ name: string; version: string }>;
}

/** A downloaded file: the export answer. */
export interface Download {
  blob: Blob;
  filename: string;
}
