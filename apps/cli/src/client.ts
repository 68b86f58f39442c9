/**
 * A small typed client for the agent endpoints the CLI uses. It turns every non-2xx answer into a
 * `CliError` carrying the server's `detail`, `code` and `request_id`, and an unreachable server
 * into a `NetworkError`, so callers can tell "retry may help" from "the server said no".
 */
import { signApiRequest } from '@airlock/auth';
import { CliError, ExitCode } from './errors.js';

export type ExecutionStatus =
  | 'pending'
  | 'running'
  | 'awaiting_llm'
  | 'completed'
  | 'error'
  | 'timeout';

export const TERMINAL_STATUSES: readonly ExecutionStatus[] = ['completed', 'error', 'timeout'];

export interface ExecutionAccepted {
  execution_id: string;
  poll_url: string;
  status: ExecutionStatus;
}

/** One connection attempt of a script (terminal poll bodies); brokering details pass through. */
export interface NetworkAttempt {
  host: string;
  port: number;
  verdict: 'allowed' | 'denied';
  reason?: string;
  [detail: string]: unknown;
}

export interface ExecutionPoll {
  execution_id: string;
  status: ExecutionStatus;
  llm_request?: { prompt: string; model: string };
  prompt?: string;
  result?: unknown;
  stdout?: string;
  stderr?: string;
  error?: string | null;
  execution_time_ms?: number | null;
  network?: NetworkAttempt[];
}

/** How a credential reaches a script: its value, or a placeholder the egress proxy swaps. */
export type Delivery = { mode: 'inject' } | { mode: 'broker'; hosts: string[] };

export interface AgentCredential {
  name: string;
  description: string;
  value_exists: boolean;
  delivery: Delivery;
}

export interface NetworkPolicy {
  mode: 'none' | 'allowlist' | 'open';
  allow: string[];
}

/** A profile as the agent endpoints show it (never a value or a secret). */
export interface AgentProfile {
  id: string;
  description: string;
  locked: boolean;
  key_id: string | null;
  credentials: AgentCredential[];
  network: NetworkPolicy;
  expires_at: string | null;
  expired: boolean;
  revoked: boolean;
  created_at: string;
  updated_at: string;
}

/** A package installed through `POST /requirements`; `scope` is `shared` or a profile id. */
export interface Requirement {
  name: string;
  spec: string;
  version: string | null;
  scope: string;
  installed_at: string;
}

export interface InstallOutcome {
  installed: { name: string; version: string }[];
  packages: Requirement[];
}

export interface Health {
  status: string;
  version?: string;
  sandbox?: {
    backend: string;
    ok: boolean;
    unconfined?: boolean;
    seccomp?: boolean;
    accounting?: { active: boolean; mechanism: string };
    detail?: string;
  };
  queue?: { running: number; queued: number; concurrency: number; capacity: number };
}

export interface ExecutionListItem {
  execution_id: string;
  status: ExecutionStatus;
  execution_time_ms: number | null;
  created_at: string;
  completed_at: string | null;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Errors that mean no connection was ever made, so the request cannot have been received. */
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** The server could not be reached (connection refused, reset, DNS): nothing was answered. */
export class NetworkError extends CliError {
  /** True when the request certainly never reached the server (refused, unresolvable). */
  readonly neverSent: boolean;

  constructor(url: string, cause: unknown) {
    const why = describeCause(cause);
    super(`cannot reach ${url}: ${why}`, ExitCode.server, { cause });
    this.name = 'NetworkError';
    const inner = cause instanceof Error ? (cause as Error & { cause?: unknown }).cause : undefined;
    const code =
      inner !== null && typeof inner === 'object' && 'code' in inner ? String(inner.code) : '';
    this.neverSent = NOT_CONNECTED_CODES.has(code);
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    // undici hides the useful part (ECONNREFUSED …) in `cause`.
    const inner = (cause as Error & { cause?: unknown }).cause;
    if (inner instanceof Error && inner.message) return inner.message;
    return cause.message;
  }
  return String(cause);
}

/**
 * Renders an error body's `detail`: a string as is, a 422 list as `loc: msg` items joined by `; `.
 */
export function formatDetail(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    const parts = detail.map((d: unknown) => {
      if (d !== null && typeof d === 'object') {
        const item = d as { loc?: unknown; msg?: unknown };
        const loc = Array.isArray(item.loc) ? item.loc.map(String).join('.') : undefined;
        const msg = typeof item.msg === 'string' ? item.msg : JSON.stringify(d);
        return loc ? `${loc}: ${msg}` : msg;
      }
      return String(d);
    });
    return parts.join('; ');
  }
  return undefined;
}

/** Builds the `CliError` for a non-2xx response from its status and (maybe JSON) body text. */
export function httpError(status: number, bodyText: string, what: string): CliError {
  let detail: string | undefined;
  let code: string | undefined;
  let requestId: string | undefined;
  try {
    const body: unknown = JSON.parse(bodyText);
    if (body !== null && typeof body === 'object') {
      const b = body as { detail?: unknown; code?: unknown; request_id?: unknown };
      detail = formatDetail(b.detail);
      if (typeof b.code === 'string') code = b.code;
      if (typeof b.request_id === 'string') requestId = b.request_id;
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): quote the start of it instead.
    const text = bodyText.trim().slice(0, 200);
    if (text) detail = text;
  }
  const message = `${what} failed: HTTP ${status}${detail === undefined ? '' : ` ${detail}`}`;
  return new CliError(message, ExitCode.server, {
    status,
    ...(code === undefined ? {} : { code }),
    ...(requestId === undefined ? {} : { requestId }),
  });
}

export interface ClientOptions {
  /** Base URL without a trailing slash, e.g. `http://localhost:9090`. */
  baseUrl: string;
  fetch?: FetchLike;
}

export interface SubmitRequest {
  keyId: string;
  body: { script: string; hash: string; timeout?: number };
  /** The v2 signature headers (absent for v1). */
  headers?: Record<string, string>;
  /**
   * `?wait=N` (seconds): the server holds the answer until the execution has finished or paused
   * for `llm.complete`, and then answers 200 with the poll body. Not part of any signature.
   */
  waitSeconds?: number;
}

/** What `POST /execute` answers: accepted (202), or with `?wait=` maybe already the poll body. */
export type Submitted = ExecutionAccepted | ExecutionPoll;

/** A response that asks to be retried later (queue full), with the server's delay. */
export interface RetryLater {
  retryAfterSeconds: number;
  error: CliError;
}

export class AirlockClient {
  readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  private async request(
    method: string,
    path: string,
    what: string,
    init: {
      headers?: Record<string, string>;
      /** A JSON body, serialised here; or `rawBody`, sent exactly (a signed body's digest). */
      body?: unknown;
      rawBody?: string;
      /** Return the body as text, unparsed (`/skill.md`). */
      text?: boolean;
      okStatuses?: number[];
      /** Accepted statuses of 400 and above keep their (error) body unparsed in `text`. */
      keepErrorBodies?: boolean;
    } = {},
  ): Promise<{ status: number; body: unknown; text: string; headers: Headers }> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = {
      accept: init.text ? 'text/markdown, text/plain' : 'application/json',
      ...init.headers,
    };
    const body = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(url, { method, headers, ...(body === undefined ? {} : { body }) });
      text = await res.text();
    } catch (cause) {
      throw new NetworkError(this.baseUrl, cause);
    }
    const ok = init.okStatuses ?? [200];
    if (!ok.includes(res.status)) throw httpError(res.status, text, what);
    if (init.text || (init.keepErrorBodies && res.status >= 400)) {
      return { status: res.status, body: null, text, headers: res.headers };
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      throw new CliError(`${what}: the server's answer is not JSON`, ExitCode.server);
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  /** `GET /health`; a 503 still carries the health document (sandbox broken), so it is returned. */
  async health(): Promise<{ httpStatus: number; health: Health }> {
    const r = await this.request('GET', '/health', 'GET /health', { okStatuses: [200, 503] });
    return { httpStatus: r.status, health: asObject<Health>(r.body, 'GET /health') };
  }

  /**
   * `POST /execute` once. A 429/503 is returned as `RetryLater` with the server's `Retry-After`
   * (the request was not stored, so sending it again is safe); other failures throw.
   */
  async submit(req: SubmitRequest): Promise<Submitted | RetryLater> {
    const path = req.waitSeconds === undefined ? '/execute' : `/execute?wait=${req.waitSeconds}`;
    const r = await this.request('POST', path, 'POST /execute', {
      headers: { authorization: `Bearer ${req.keyId}`, ...req.headers },
      body: req.body,
      okStatuses: [200, 202, 429, 503],
      keepErrorBodies: true,
    });
    if (r.status === 429 || r.status === 503) {
      return {
        retryAfterSeconds: parseRetryAfter(r.headers.get('retry-after')),
        error: httpError(r.status, r.text, 'POST /execute'),
      };
    }
    const accepted = asObject<Submitted>(r.body, 'POST /execute');
    if (typeof accepted.execution_id !== 'string') {
      throw new CliError('POST /execute: the answer has no execution_id', ExitCode.server);
    }
    return accepted;
  }

  /** `GET /executions/{id}?wait=N`: returns at the next status change or after `wait` s. */
  async poll(executionId: string, waitSeconds: number): Promise<ExecutionPoll> {
    const r = await this.request(
      'GET',
      `/executions/${encodeURIComponent(executionId)}?wait=${waitSeconds}`,
      'GET /executions/{id}',
    );
    return asObject<ExecutionPoll>(r.body, 'GET /executions/{id}');
  }

  /** `POST /executions/{id}/respond`. */
  async respond(executionId: string, response: string): Promise<void> {
    await this.request(
      'POST',
      `/executions/${encodeURIComponent(executionId)}/respond`,
      'POST /executions/{id}/respond',
      { body: { response } },
    );
  }

  /** `GET /executions` for the profile of `key`, newest first (signed with the key secret). */
  async listExecutions(
    key: { keyId: string; secret: string },
    limit: number,
  ): Promise<ExecutionListItem[]> {
    const target = `/executions?limit=${limit}`;
    const signed = signApiRequest(key.secret, { method: 'GET', target, body: '' });
    const r = await this.request('GET', target, 'GET /executions', {
      headers: { authorization: `Bearer ${key.keyId}`, ...signed.headers },
    });
    const body = asObject<{ executions?: unknown }>(r.body, 'GET /executions');
    if (!Array.isArray(body.executions)) {
      throw new CliError('GET /executions: the answer has no executions list', ExitCode.server);
    }
    return body.executions as ExecutionListItem[];
  }

  /** `GET /profiles`: every profile, as agents see them (key ids are public). */
  async profiles(): Promise<AgentProfile[]> {
    const r = await this.request('GET', '/profiles', 'GET /profiles');
    const body = asObject<{ profiles?: unknown }>(r.body, 'GET /profiles');
    if (!Array.isArray(body.profiles)) {
      throw new CliError('GET /profiles: the answer has no profiles list', ExitCode.server);
    }
    return body.profiles as AgentProfile[];
  }

  /** `GET /requirements`: packages installed through Airlock, every scope. */
  async requirements(): Promise<Requirement[]> {
    const r = await this.request('GET', '/requirements', 'GET /requirements');
    const body = asObject<{ packages?: unknown }>(r.body, 'GET /requirements');
    if (!Array.isArray(body.packages)) {
      throw new CliError('GET /requirements: the answer has no packages list', ExitCode.server);
    }
    return body.packages as Requirement[];
  }

  /**
   * `POST /requirements` for the profile of `key`: a request signed with the key secret over
   * the method, path and the exact body bytes sent.
   */
  async installRequirements(
    key: { keyId: string; secret: string },
    packages: readonly string[],
  ): Promise<InstallOutcome> {
    const target = '/requirements';
    const rawBody = JSON.stringify({ packages });
    const signed = signApiRequest(key.secret, { method: 'POST', target, body: rawBody });
    const r = await this.request('POST', target, 'POST /requirements', {
      headers: { authorization: `Bearer ${key.keyId}`, ...signed.headers },
      rawBody,
    });
    return asObject<InstallOutcome>(r.body, 'POST /requirements');
  }

  /** `GET /skill.md`: the instance's agent guide, generated live (Markdown). */
  async skill(): Promise<string> {
    return (await this.request('GET', '/skill.md', 'GET /skill.md', { text: true })).text;
  }
}

/** `Retry-After` in seconds (delta form; an HTTP date or junk counts as 1 s), at least 1. */
export function parseRetryAfter(value: string | null): number {
  if (value === null) return 1;
  const n = Number(value.trim());
  return Number.isFinite(n) && n >= 1 ? Math.ceil(n) : 1;
}

function asObject<T>(body: unknown, what: string): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new CliError(`${what}: unexpected answer from the server`, ExitCode.server);
  }
  return body as T;
}
