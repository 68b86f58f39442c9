/**
 * The names the UI gives to the Airlock API's wire shapes. Every server shape is an alias of the
 * types generated from `specs/openapi.json` (`./schema.gen.ts`, `pnpm --filter @airlock/admin
 * generate`), so the UI cannot drift from the server: when a route changes, the spec, then the
 * generated file, then the type errors here and in the pages say what to follow. Only UI shapes
 * (view models, the live events the spec describes in prose) are written here, and they are
 * built from the generated ones.
 */
import type { components, paths } from './schema.gen';

type Schemas = components['schemas'];
type Method = 'get' | 'put' | 'post' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/** The JSON body an operation answers with `S` (200 unless said). */
type ResponseBody<P extends keyof paths, M extends Method, S extends number = 200> =
  Operation<P, M>['responses'] extends Record<S, { content: { 'application/json': infer B } }>
    ? B
    : never;

/** The JSON body an operation takes. */
type RequestBody<P extends keyof paths, M extends Method> = NonNullable<
  Operation<P, M>['requestBody']
>['content']['application/json'];

/** The query parameters an operation takes. */
type QueryParams<P extends keyof paths, M extends Method> = NonNullable<
  Operation<P, M>['parameters']['query']
>;

/** Every error body: `detail` is a message, or for 422 a list of issues. */
export type ErrorBody = Schemas['Error'];

/** One validation issue (an element of a 422 `detail` array). */
export type ValidationIssue = Extract<ErrorBody['detail'], unknown[]>[number];

export type AdminStatus = ResponseBody<'/api/admin/status', 'get'>;
export type SessionToken = Schemas['SessionToken'];
export type SessionInfo = ResponseBody<'/api/admin/session', 'get'>;
export type LogoutAnswer = ResponseBody<'/api/admin/logout', 'post'>;
export type SetupInput = RequestBody<'/api/admin/setup', 'post'>;
export type LoginInput = RequestBody<'/api/admin/login', 'post'>;
export type ChangePasswordInput = RequestBody<'/api/admin/password', 'post'>;

/**
 * How a credential's value reaches a script. `inject`: the script reads the value in
 * `settings[NAME]`. `broker`: the script reads a placeholder, and the egress proxy puts the value
 * into HTTP requests to `hosts` only, so the value never enters the sandbox. The spec has one
 * object with `hosts` optional (absent for `inject`), not a union: read `hosts ?? []`.
 */
export type CredentialDelivery = Schemas['Delivery'];

export type AdminCredential = Schemas['AdminCredential'];
export type CredentialUse = AdminCredential['used_by'][number];
export type CredentialList = ResponseBody<'/api/admin/credentials', 'get'>;

/** Without `delivery` the server stores `{mode: 'inject'}`. */
export type CreateCredentialInput = RequestBody<'/api/admin/credentials', 'post'>;

/** `value: null` clears the stored value; an absent field leaves it as is. */
export type UpdateCredentialInput = RequestBody<'/api/admin/credentials/{name}', 'put'>;

/**
 * The instance certificate authority the egress proxy uses to intercept TLS to brokered hosts
 * (`GET /api/admin/egress-ca`, and the answer of `POST /api/admin/egress-ca/rotate`). Public.
 */
export type EgressCa = Schemas['EgressCa'];

/** A profile's network policy: which hosts its scripts may reach (frozen at lock). */
export type NetworkPolicy = Schemas['NetworkPolicy'];

export type AdminProfile = Schemas['AdminProfile'];
export type ProfileCredential = AdminProfile['credentials'][number];
export type ProfileList = ResponseBody<'/api/admin/profiles', 'get'>;

/** The attach and detach bodies. */
export type CredentialNames = Schemas['CredentialNames'];

/** Lock and regenerate answers: the profile plus `ark_<key id>:<secret>`, shown exactly once. */
export type AdminProfileWithKey = Schemas['AdminProfileWithKey'];

/** The lock and regenerate bodies: the credential names the admin was shown. */
export type ExpectedProfile = Schemas['ExpectedProfile'];

export type CreateProfileInput = RequestBody<'/api/admin/profiles', 'post'>;

/** `expires_at: null` clears the expiry. */
export type UpdateProfileInput = RequestBody<'/api/admin/profiles/{id}', 'put'>;

/** The agent view of a profile (`GET /profiles/{id}`). */
export type AgentProfile = Schemas['Profile'];

export type AuditEntry = Schemas['AuditEntry'];
/** A piece of an entry's sentence; `ref` names the object it links to (absent once deleted). */
export type AuditPart = Schemas['AuditPart'];
/** An action the audit log can be filtered by, with its words and group. */
export type AuditActionKind = Schemas['AuditActionKind'];
export type AuditPage = ResponseBody<'/api/admin/audit', 'get'>;
export type AuditQuery = QueryParams<'/api/admin/audit', 'get'>;
/** The filters alone (what the CSV export takes). */
export type AuditFilters = QueryParams<'/api/admin/audit/export.csv', 'get'>;

export type ExportInput = RequestBody<'/api/admin/export', 'post'>;
/** `file`: the export file, base64. */
export type ImportPreviewInput = RequestBody<'/api/admin/import/preview', 'post'>;
export type ImportInput = RequestBody<'/api/admin/import', 'post'>;

export type ImportPlan = Schemas['ImportPlan'];
export type ImportResult = ResponseBody<'/api/admin/import', 'post'>;
export type ImportStrategy = ImportResult['strategy'];

export type ExecutionStatus = Schemas['AdminExecutionListItem']['status'];

/** One entry per status, so a status the spec adds or drops fails to compile here. */
const STATUS_ORDER: Record<ExecutionStatus, null> = {
  pending: null,
  running: null,
  awaiting_llm: null,
  completed: null,
  error: null,
  timeout: null,
};

export const EXECUTION_STATUSES: readonly ExecutionStatus[] = Object.keys(
  STATUS_ORDER,
) as ExecutionStatus[];

export const TERMINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set([
  'completed',
  'error',
  'timeout',
]);

export type ExecutionSummary = Schemas['AdminExecutionListItem'];
export type ExecutionPage = ResponseBody<'/api/admin/executions', 'get'>;

/** The list's filters (`since`, `until`: ISO-8601); also the executions list query key. */
export type ExecutionFilters = QueryParams<'/api/admin/executions', 'get'>;

export type ExecutionDetail = Schemas['AdminExecution'];
export type LlmExchange = ExecutionDetail['llm_exchanges'][number];

/** One connection attempt of a run, as the admin sees it. */
export type NetworkRecord = Schemas['NetworkRecord'];

/** One HTTP request on a connection to a brokered host (credential names only, never values). */
export type BrokeredRequest = NonNullable<NetworkRecord['brokered']>['requests'][number];

/** `GET /executions/{id}` (the agent's poll body); `end` of the live events carries it. */
export type ExecutionPoll = Schemas['ExecutionPoll'];

export type LlmRequest = NonNullable<ExecutionPoll['llm_request']>;

/**
 * The events of `GET /executions/{id}/events` (the spec describes them in prose only: its body is
 * `text/event-stream`): status changes, a pause in `llm.complete`, redacted output chunks as
 * produced (each stream's last 512 bytes held back until more follows or the run ends), and `end`
 * with the terminal poll body, after which the stream closes.
 */
export type ExecutionEvent =
  | { event: 'status'; id: string; data: Pick<ExecutionPoll, 'status'> }
  | { event: 'llm_request'; id: string; data: LlmRequest }
  | { event: 'stdout' | 'stderr'; id: string; data: { text: string } }
  | { event: 'end'; id: string; data: ExecutionPoll };

export type Stats = ResponseBody<'/api/admin/stats', 'get'>;
export type Health = Schemas['Health'];

/** An installed package: `scope` is `shared` (every profile's scripts), or a profile id. */
export type InstalledPackage = Schemas['AdminRequirement'];

/** The admin's view: installed packages, Debian's python3 packages, recent failed installs. */
export type AdminRequirements = ResponseBody<'/api/admin/requirements', 'get'>;

/** `scope`: `shared` (default) or a profile id. */
export type InstallRequirementsInput = RequestBody<'/api/admin/requirements', 'post'>;

/** An install's answer: what pip installed now, and the whole list. */
export type InstallAnswer = ResponseBody<'/api/admin/requirements', 'post'>;

/** A downloaded file: the export answer (UI only; the wire body is the file). */
export interface Download {
  blob: Blob;
  filename: string;
}
