import { type ConnectionState, readEventStream, type SseMessage } from './sse';
import type {
  AdminCredential,
  AdminProfile,
  AdminProfileWithKey,
  AdminRequirements,
  AdminStatus,
  AuditFilters,
  AuditPage,
  AuditQuery,
  ChangePasswordInput,
  CreateCredentialInput,
  CreateProfileInput,
  CredentialList,
  CredentialNames,
  Download,
  EgressCa,
  ErrorBody,
  ExecutionDetail,
  ExecutionEvent,
  ExecutionFilters,
  ExecutionPage,
  ExecutionPoll,
  ExecutionStatus,
  ExpectedProfile,
  ExportInput,
  Health,
  ImportInput,
  ImportPlan,
  ImportPreviewInput,
  ImportResult,
  ImportStrategy,
  InstallAnswer,
  InstallRequirementsInput,
  LoginInput,
  LogoutAnswer,
  ProfileList,
  SessionInfo,
  SessionToken,
  SetupInput,
  Stats,
  UpdateCredentialInput,
  UpdateProfileInput,
  ValidationIssue,
} from './types';

/**
 * The one typed client of the Airlock API. The browser authenticates with the HttpOnly
 * `airlock_session` cookie (`credentials: 'same-origin'`); the `{token}` that login returns is
 * ignored on purpose, so no session secret ever reaches JavaScript-readable storage.
 */

/** An HTTP failure with the server's `{detail, code, request_id}` kept as sent. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string | ValidationIssue[];
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  readonly path: string;

  constructor(status: number, path: string, body: ErrorBody) {
    super(typeof body.detail === 'string' ? body.detail : 'Validation failed');
    this.name = 'ApiError';
    this.status = status;
    this.path = path;
    this.detail = body.detail;
    this.code = body.code;
    this.requestId = body.request_id;
  }
}

/** Status 0: the request never got an HTTP answer (server down, network gone). */
export const NETWORK_ERROR_STATUS = 0;

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/** A 401 from an admin endpoint means the session is gone (expired, logged out elsewhere). */
export function isUnauthorized(err: unknown): boolean {
  return isApiError(err) && err.status === 401;
}

function isValidationIssue(v: unknown): v is ValidationIssue {
  return typeof v === 'object' && v !== null && 'msg' in v && 'loc' in v;
}

function toErrorBody(status: number, statusText: string, parsed: unknown): ErrorBody {
  if (typeof parsed === 'object' && parsed !== null && 'detail' in parsed) {
    const p = parsed as { detail: unknown; code?: unknown; request_id?: unknown };
    const detail =
      typeof p.detail === 'string'
        ? p.detail
        : Array.isArray(p.detail) && p.detail.every(isValidationIssue)
          ? p.detail
          : JSON.stringify(p.detail);
    return {
      detail,
      code: typeof p.code === 'string' ? p.code : undefined,
      request_id: typeof p.request_id === 'string' ? p.request_id : undefined,
    };
  }
  return { detail: `The server answered ${status} ${statusText}`.trim() };
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(NETWORK_ERROR_STATUS, path, {
      detail: 'Cannot reach the Airlock server. Check that it is running, then try again.',
    });
  }
  if (!res.ok) {
    let parsed: unknown;
    try {
      parsed = await res.json();
    } catch {
      parsed = undefined;
    }
    throw new ApiError(res.status, path, toErrorBody(res.status, res.statusText, parsed));
  }
  return res;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  // 204 No Content (deletions) has no body to read.
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A query string; absent (`undefined`, `null`) and empty values are left out. */
function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** One SSE message as a typed execution event; `null` for unknown or malformed ones (skipped). */
export function toExecutionEvent(m: SseMessage): ExecutionEvent | null {
  let data: unknown;
  try {
    data = JSON.parse(m.data);
  } catch {
    return null;
  }
  if (!isRecord(data)) return null;
  const id = m.id;
  switch (m.event) {
    // Statuses are passed on as sent (a newer server may know more of them than this UI).
    case 'status':
      if (typeof data.status !== 'string') return null;
      return { event: 'status', id, data: { status: data.status as ExecutionStatus } };
    case 'end':
      if (typeof data.status !== 'string') return null;
      return { event: 'end', id, data: data as unknown as ExecutionPoll };
    case 'llm_request':
      if (typeof data.prompt !== 'string' || typeof data.model !== 'string') return null;
      return { event: m.event, id, data: { prompt: data.prompt, model: data.model } };
    case 'stdout':
    case 'stderr':
      if (typeof data.text !== 'string') return null;
      return { event: m.event, id, data: { text: data.text } };
    default:
      return null;
  }
}

export interface ExecutionEventsOptions {
  signal: AbortSignal;
  onEvent: (event: ExecutionEvent) => void;
  onConnection?: (state: ConnectionState) => void;
}

/** `attachment; filename="x"` → `x`, with a fallback. */
export function filenameFromDisposition(header: string | null, fallback: string): string {
  const m = /filename="?([^";]+)"?/i.exec(header ?? '');
  return m?.[1] ?? fallback;
}

export const api = {
  /** `GET /health`: its 503 (the sandbox does not work) carries the same body as its 200. */
  health: async (): Promise<Health> => {
    const res = await fetch('/health', { headers: { Accept: 'application/json' } });
    if (res.status !== 200 && res.status !== 503)
      throw new ApiError(res.status, '/health', toErrorBody(res.status, res.statusText, undefined));
    return (await res.json()) as Health;
  },
  status: () => request<AdminStatus>('GET', '/api/admin/status'),
  setup: (setupCode: string, password: string) =>
    request<SessionToken>('POST', '/api/admin/setup', {
      setup_code: setupCode,
      password,
    } satisfies SetupInput),
  login: (password: string) =>
    request<SessionToken>('POST', '/api/admin/login', { password } satisfies LoginInput),
  logout: () => request<LogoutAnswer>('POST', '/api/admin/logout'),
  session: () => request<SessionInfo>('GET', '/api/admin/session'),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<SessionToken>('POST', '/api/admin/password', {
      current_password: currentPassword,
      new_password: newPassword,
    } satisfies ChangePasswordInput),

  credentials: {
    list: () => request<CredentialList>('GET', '/api/admin/credentials'),
    create: (input: CreateCredentialInput) =>
      request<AdminCredential>('POST', '/api/admin/credentials', input),
    update: (name: string, input: UpdateCredentialInput) =>
      request<AdminCredential>('PUT', `/api/admin/credentials/${enc(name)}`, input),
    remove: (name: string) => request<void>('DELETE', `/api/admin/credentials/${enc(name)}`),
  },

  profiles: {
    list: () => request<ProfileList>('GET', '/api/admin/profiles'),
    get: (id: string) => request<AdminProfile>('GET', `/api/admin/profiles/${enc(id)}`),
    create: (input: CreateProfileInput) =>
      request<AdminProfile>('POST', '/api/admin/profiles', input),
    update: (id: string, input: UpdateProfileInput) =>
      request<AdminProfile>('PUT', `/api/admin/profiles/${enc(id)}`, input),
    remove: (id: string) => request<void>('DELETE', `/api/admin/profiles/${enc(id)}`),
    attach: (id: string, names: string[]) =>
      request<AdminProfile>('POST', `/api/admin/profiles/${enc(id)}/credentials`, {
        credentials: names,
      } satisfies CredentialNames),
    detach: (id: string, names: string[]) =>
      request<AdminProfile>('DELETE', `/api/admin/profiles/${enc(id)}/credentials`, {
        credentials: names,
      } satisfies CredentialNames),
    /** `credentials`: the names the admin was shown; the server refuses (409) if they changed. */
    lock: (id: string, credentials: string[]) =>
      request<AdminProfileWithKey>('POST', `/api/admin/profiles/${enc(id)}/lock`, {
        credentials,
      } satisfies ExpectedProfile),
    revoke: (id: string) => request<AdminProfile>('POST', `/api/admin/profiles/${enc(id)}/revoke`),
    regenerateKey: (id: string, credentials: string[]) =>
      request<AdminProfileWithKey>('POST', `/api/admin/profiles/${enc(id)}/regenerate-key`, {
        credentials,
      } satisfies ExpectedProfile),
  },

  executions: {
    list: (f: ExecutionFilters) =>
      request<ExecutionPage>(
        'GET',
        `/api/admin/executions${query({
          profile_id: f.profile_id,
          status: f.status,
          since: f.since,
          until: f.until,
          limit: f.limit ?? 50,
          offset: f.offset ?? 0,
        } satisfies ExecutionFilters)}`,
      ),
    get: (id: string) => request<ExecutionDetail>('GET', `/api/admin/executions/${enc(id)}`),
    cancel: (id: string) =>
      request<ExecutionDetail>('POST', `/api/admin/executions/${enc(id)}/cancel`),
    /**
     * Follows `GET /executions/{id}/events` (no session needed: the id is the capability) until
     * `end` or `signal` aborts, reconnecting with `Last-Event-ID` when the connection drops.
     */
    events: (id: string, { signal, onEvent, onConnection }: ExecutionEventsOptions) =>
      readEventStream(`/executions/${enc(id)}/events`, {
        signal,
        onConnection,
        onMessage: (m) => {
          const e = toExecutionEvent(m);
          if (!e) return undefined;
          onEvent(e);
          return e.event === 'end' ? 'stop' : undefined;
        },
      }),
  },

  egressCa: {
    get: () => request<EgressCa>('GET', '/api/admin/egress-ca'),
    rotate: () => request<EgressCa>('POST', '/api/admin/egress-ca/rotate'),
  },

  stats: () => request<Stats>('GET', '/api/admin/stats'),
  audit: {
    list: (q: AuditQuery) => request<AuditPage>('GET', `/api/admin/audit${query(q)}`),
    /** The filtered log as a CSV file (what `list` shows, every page of it). */
    csv: async (f: AuditFilters): Promise<Download> => {
      const res = await send('GET', `/api/admin/audit/export.csv${query(f)}`);
      return {
        blob: await res.blob(),
        filename: filenameFromDisposition(
          res.headers.get('Content-Disposition'),
          `airlock-audit-${new Date().toISOString().slice(0, 10)}.csv`,
        ),
      };
    },
  },
  requirements: () => request<AdminRequirements>('GET', '/api/admin/requirements'),
  installRequirements: (input: InstallRequirementsInput) =>
    request<InstallAnswer>('POST', '/api/admin/requirements', input),

  exportState: async (passphrase: string): Promise<Download> => {
    const res = await send('POST', '/api/admin/export', { passphrase } satisfies ExportInput);
    const stamp = new Date().toISOString().slice(0, 10);
    return {
      blob: await res.blob(),
      filename: filenameFromDisposition(
        res.headers.get('Content-Disposition'),
        `airlock-${stamp}.airlock-export`,
      ),
    };
  },
  importPreview: (file: string, passphrase: string) =>
    request<ImportPlan>('POST', '/api/admin/import/preview', {
      file,
      passphrase,
    } satisfies ImportPreviewInput),
  importApply: (file: string, passphrase: string, strategy: ImportStrategy) =>
    request<ImportResult>('POST', '/api/admin/import', {
      file,
      passphrase,
      strategy,
    } satisfies ImportInput),
};
