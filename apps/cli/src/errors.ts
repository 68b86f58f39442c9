/**
 * Exit codes and error rendering. Every message that leaves the CLI goes through `mask`, so a
 * profile key secret can never reach a terminal or a log, whatever text an error carries.
 */

/** The documented exit codes (README, `airlock --help`). */
export const ExitCode = {
  /** The execution completed (or `status` found a healthy server). */
  ok: 0,
  /** The script raised, or the server ended it with an error (memory, output limit, restart). */
  scriptError: 1,
  /** The script ran out of time. */
  timeout: 2,
  /** Bad arguments or configuration, an unreadable script, a prompt nobody can answer. */
  usage: 3,
  /** The server refused the request (auth, signature, validation), failed, or was unreachable. */
  server: 4,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the CLI reports as one line (plus optional details) and an exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  /** HTTP status when the server answered with an error. */
  readonly status: number | undefined;
  /** The server's error `code` and `request_id`, worth quoting in a bug report. */
  readonly code: string | undefined;
  readonly requestId: string | undefined;

  constructor(
    message: string,
    exitCode: ExitCodeValue,
    extra: { status?: number; code?: string; requestId?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.status = extra.status;
    this.code = extra.code;
    this.requestId = extra.requestId;
  }
}

/** A usage or configuration error (exit 3). */
export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.usage);
}

const MASK = '****';

/**
 * Replaces every occurrence of each secret in `text` by `****`. Secrets shorter than 8 chars are
 * ignored: a real key secret is 48 chars, and masking a short string would mangle ordinary text.
 */
export function mask(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 8) out = out.split(s).join(MASK);
  }
  return out;
}

/** `mask` applied to every string in a JSON-like value (keys included); returns a copy. */
export function maskDeep<T>(value: T, secrets: readonly string[]): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return mask(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [mask(k, secrets), walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

/** The one-line (or few-line) human rendering of any thrown value, secrets masked. */
export function renderError(err: unknown, secrets: readonly string[]): string {
  let text: string;
  if (err instanceof CliError) {
    text = err.message;
    const refs: string[] = [];
    if (err.code !== undefined) refs.push(`code ${err.code}`);
    if (err.requestId !== undefined) refs.push(`request ${err.requestId}`);
    if (refs.length > 0) text += ` (${refs.join(', ')})`;
  } else if (err instanceof Error) {
    text = `unexpected failure: ${err.message}`;
  } else {
    text = `unexpected failure: ${String(err)}`;
  }
  return `airlock: ${mask(text, secrets)}\n`;
}

/** The `--json` rendering of a failure: one JSON document, secrets masked. */
export function renderErrorJson(err: unknown, secrets: readonly string[]): string {
  const e = err instanceof CliError ? err : undefined;
  const message = err instanceof Error ? err.message : String(err);
  const body = {
    error: {
      message: mask(message, secrets),
      exit_code: e?.exitCode ?? ExitCode.server,
      status: e?.status ?? null,
      code: e?.code ?? null,
      request_id: e?.requestId ?? null,
    },
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** The exit code for any thrown value: unknown failures count as server-side (4). */
export function exitCodeOf(err: unknown): ExitCodeValue {
  return err instanceof CliError ? err.exitCode : ExitCode.server;
}
