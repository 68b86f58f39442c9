import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, statusOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AppEnv } from './context.js';

/**
 * The one place errors become responses: `{detail, code, request_id}` with the status from the
 * code table. Unknown errors are logged with the request id and answered with a generic 500;
 * their message never reaches the client.
 */
export function errorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    const requestId = c.get('requestId');
    if (err instanceof AppError) {
      if (err.retryAfter !== undefined) c.header('Retry-After', String(Math.ceil(err.retryAfter)));
      return c.json(
        { detail: err.detail, code: err.code, request_id: requestId },
        statusOf(err.code),
      );
    }
    if (err instanceof HTTPException) {
      return fromHttpException(c, err, requestId);
    }
    logger.error('unhandled error', {
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
    return c.json(
      { detail: 'Internal server error', code: 'INTERNAL', request_id: requestId },
      500,
    );
  };
}

/** Hono's own exceptions (malformed JSON, body too large, unsupported media type). */
function fromHttpException(c: Context<AppEnv>, err: HTTPException, requestId: string) {
  switch (err.status) {
    case 400:
      return c.json(
        { detail: err.message || 'Bad request', code: 'BAD_REQUEST', request_id: requestId },
        400,
      );
    case 413:
      return c.json(
        { detail: 'Request body too large', code: 'PAYLOAD_TOO_LARGE', request_id: requestId },
        413,
      );
    case 415:
      return c.json(
        {
          detail: 'Unsupported Media Type: send Content-Type: application/json',
          code: 'UNSUPPORTED_MEDIA_TYPE',
          request_id: requestId,
        },
        415,
      );
    default:
      return c.json(
        { detail: err.message || 'Request failed', request_id: requestId },
        err.status >= 400 && err.status < 600 ? (err.status as 400) : 400,
      );
  }
}
