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
    const storage = storageFailure(err);
    if (storage) {
      logger.error('storage unavailable', {
        request_id: requestId,
        path: c.req.path,
        error: storage.log,
      });
      c.header('Retry-After', String(storage.retryAfter));
      return c.json({ detail: storage.detail, code: 'UNAVAILABLE', request_id: requestId }, 503);
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

/**
 * The database is busy beyond its wait (another writer holds the lock) or the disk is full or
 * failing: the server is temporarily unable, not broken, so 503 with a reason and Retry-After.
 * Reads keep working meanwhile (WAL readers are not blocked by a writer or a full disk).
 */
function storageFailure(err: unknown): { detail: string; retryAfter: number; log: string } | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED') {
    return { detail: 'The database is busy; retry shortly', retryAfter: 2, log: code };
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code.startsWith('SQLITE_IOERR')) {
    return {
      detail: 'Storage is full or failing; the change was not saved',
      retryAfter: 30,
      log: code,
    };
  }
  return null;
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
