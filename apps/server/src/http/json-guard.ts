import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.js';
import { mayHaveBody } from './body.js';
import type { AppEnv } from './context.js';

/** Deepest JSON nesting any Airlock request needs (a `set_result` value is not a request). */
export const MAX_JSON_DEPTH = 32;

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Parses JSON request bodies once, up front, and refuses what no endpoint should ever store:
 * nesting deeper than {@link MAX_JSON_DEPTH}, strings (or keys) with lone UTF-16 surrogates, and
 * NUL characters. Each is a 422 with a message that says which rule was broken, before any
 * handler runs. The parsed body is cached by Hono, so validators do not parse it again.
 */
export function jsonGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!mayHaveBody(c)) return next();
    const type = c.req.header('content-type')?.split(';')[0]?.trim() ?? '';
    if (!JSON_TYPE.test(type) || !c.req.raw.body) return next();
    const text = await c.req.text();
    if (text.trim() === '') {
      // An empty body with a JSON content type (common from HTTP clients on bodiless POSTs) is
      // read as `{}`: bodiless actions work, and required fields get a clear 422.
      c.req.raw = new Request(c.req.raw, { body: '{}' });
      c.req.bodyCache = {};
      return next();
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new AppError('BAD_REQUEST', 'Malformed JSON in request body');
    }
    const problem = inspect(value);
    if (problem) throw new AppError('VALIDATION', problem);
    return next();
  };
}

function inspect(root: unknown): string | null {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (typeof value === 'string') {
      const p = badString(value);
      if (p) return p;
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_JSON_DEPTH) return `JSON nested deeper than ${MAX_JSON_DEPTH} levels`;
      if (Array.isArray(value)) {
        for (const v of value) stack.push([v, depth + 1]);
      } else {
        for (const [k, v] of Object.entries(value)) {
          const p = badString(k);
          if (p) return p.replace('A string', 'A key');
          stack.push([v, depth + 1]);
        }
      }
    }
  }
  return null;
}

/** With the `u` flag a valid pair is one astral code point, so only lone halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

function badString(s: string): string | null {
  if (LONE_SURROGATE.test(s))
    return 'A string in the body contains a lone UTF-16 surrogate (invalid Unicode)';
  if (s.includes('\u0000')) return 'A string in the body contains a NUL character';
  return null;
}
