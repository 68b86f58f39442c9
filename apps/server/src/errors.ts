import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Every failure a service can report on purpose. One exhaustive table maps each to its HTTP
 * status (`statusOf`), so a handler never picks a status by hand.
 */
export const errorStatus = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  MISDIRECTED: 421,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION: 422,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof errorStatus;

/**
 * An expected failure with a message that is safe to show to the caller as `{detail}`.
 * Never put a secret, a stack or an internal error message into `detail`.
 *
 * @example
 * throw new AppError('NOT_FOUND', `Profile '${id}' not found`);
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  /** The client-facing message (a string, or FastAPI-style validation items for 422). */
  readonly detail: string | ValidationItem[];
  /** Seconds, for 429/503. */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    detail: string | ValidationItem[],
    options: { retryAfter?: number } = {},
  ) {
    super(typeof detail === 'string' ? detail : 'Validation failed');
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
    this.retryAfter = options.retryAfter;
  }
}

/** One FastAPI-style validation failure: `{type, loc, msg, input}`. */
export interface ValidationItem {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

export function statusOf(code: ErrorCode): ContentfulStatusCode {
  return errorStatus[code];
}
