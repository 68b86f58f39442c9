import { ApiError, NETWORK_ERROR_STATUS } from '../api/client';

export interface DescribedError {
  /** One sentence: what went wrong. */
  message: string;
  /** For validation errors: one line per field problem. */
  issues: string[];
  /** What the user can do about it, when we know. */
  hint: string | undefined;
  requestId: string | undefined;
}

/** `['body', 'credentials', 0]` → `credentials[0]`: drop the request part, keep the field. */
export function fieldPath(loc: Array<string | number>): string {
  const parts = loc[0] === 'body' || loc[0] === 'query' || loc[0] === 'path' ? loc.slice(1) : loc;
  return parts.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p),
    '',
  );
}

const HINTS: Partial<Record<number, string>> = {
  403: 'The server refused this action.',
  404: 'It may have been deleted, or this server does not offer it yet.',
  409: 'The current state does not allow this; reload the page to see the latest state.',
  413: 'The file or request is too large for the server.',
  429: 'Too many attempts. Wait a minute, then try again.',
  500: 'The server failed unexpectedly; its log has the details (quote the request id).',
  503: 'The server is busy or not ready; try again shortly.',
};

/** Turns anything thrown into text a person can act on; server `detail` is shown as sent. */
export function describeError(err: unknown): DescribedError {
  if (err instanceof ApiError) {
    const hint =
      err.status === NETWORK_ERROR_STATUS
        ? undefined
        : (HINTS[err.status] ?? (err.status >= 500 ? HINTS[500] : undefined));
    if (typeof err.detail === 'string') {
      return { message: err.detail, issues: [], hint, requestId: err.requestId };
    }
    const issues = err.detail.map((i) => {
      const field = fieldPath(i.loc);
      return field ? `${field}: ${i.msg}` : i.msg;
    });
    return {
      message: 'Some fields are not valid:',
      issues,
      hint: undefined,
      requestId: err.requestId,
    };
  }
  if (err instanceof Error) {
    return { message: err.message, issues: [], hint: undefined, requestId: undefined };
  }
  return { message: String(err), issues: [], hint: undefined, requestId: undefined };
}
