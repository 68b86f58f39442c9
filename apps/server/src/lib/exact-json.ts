import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';

/**
 * A JSON value held as its exact text: a script's `set_result` value, whose numbers JavaScript
 * could not hold (integers beyond 2^53, `-0.0`). Only ever built from text the redactor wrote.
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * `JSON.stringify`, writing each {@link RawJson} as its text. Placeholders carry a random tag
 * per call, so no string in the data can be mistaken for one.
 *
 * @example
 * stringifyExact({ result: new RawJson('18446744073709551616') }); // '{"result":18446744073709551616}'
 */
export function stringifyExact(value: unknown): string {
  const raws: string[] = [];
  const tag = randomBytes(16).toString('hex');
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof RawJson)) return v;
    raws.push(v.text);
    return `${tag}:${raws.length - 1}`;
  });
  if (raws.length === 0) return text;
  return text.replace(new RegExp(`"${tag}:(\\d+)"`, 'g'), (_m, i: string) => raws[Number(i)] ?? '');
}

/** A JSON response written by {@link stringifyExact}. */
export function exactJson(c: Context, body: unknown, status: 200 | 201 = 200): Response {
  return c.body(stringifyExact(body), status, { 'content-type': 'application/json' });
}
