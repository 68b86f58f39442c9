import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { AppError, type ValidationItem } from '../errors.js';

/** Longest `input` echoed back in a validation item, so a huge bad string is not mirrored. */
const MAX_ECHO = 200;

function echo(input: unknown): unknown {
  if (typeof input === 'string')
    return input.length > MAX_ECHO ? `${input.slice(0, MAX_ECHO)}…` : input;
  if (input === undefined) return null;
  if (input === null || typeof input === 'number' || typeof input === 'boolean') return input;
  return null; // objects and arrays are not echoed: they may be large or hold a value
}

/**
 * Turns zod issues into FastAPI-style items (`loc` starts with the request part, e.g. `body`).
 * Values of fields named like secrets are never echoed back.
 */
export function toValidationItems(part: string, error: ZodError, data: unknown): ValidationItem[] {
  return error.issues.map((issue) => {
    const loc = [part, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const sensitive = loc.some(
      (p) => typeof p === 'string' && /value|password|secret|passphrase|key/i.test(p),
    );
    return {
      type: issue.code,
      loc,
      msg: issue.message,
      input: sensitive ? null : echo(valueAt(data, issue.path)),
    };
  });
}

/** The submitted value at a zod issue path (own properties only: `__proto__` is just a key). */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || typeof key === 'symbol') return undefined;
    if (!Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

const partName: Record<string, string> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
};

/** The `defaultHook` of every OpenAPIHono router: a failed validation is a 422 `{detail:[…]}`. */
export function validationHook(
  result: { success: true } | { success: false; error: ZodError; target: string; data?: unknown },
  _c: Context,
): undefined {
  if (!result.success) {
    throw new AppError(
      'VALIDATION',
      toValidationItems(partName[result.target] ?? result.target, result.error, result.data),
    );
  }
  return undefined;
}
