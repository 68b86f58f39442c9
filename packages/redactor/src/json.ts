/**
 * Walks a JSON value and redacts every string in it, object keys included. Numbers are checked
 * through their JSON text too (a numeric secret such as an account number would otherwise pass
 * untouched) and become the redacted string when they hold a secret. Booleans and null stay.
 */
import { RedactionError } from './errors.js';

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

export interface RedactJsonOptions {
  /** Deeper nesting fails closed with a RedactionError instead of risking the stack. Default 256. */
  readonly maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 256;

/**
 * Returns a redacted copy of `value` (the input is never modified). `redactText` maps a string to
 * its redacted form, returning the very same string when nothing matched. Anything that is not
 * plain JSON data (undefined, functions, class instances, cycles past `maxDepth`) throws a
 * RedactionError: fail closed rather than guess.
 *
 * @example
 * redactJsonValue({ k: ['s3cret-value'] }, (s) => s.replace('s3cret-value', '[REDACTED:K]'));
 * // { k: ['[REDACTED:K]'] }
 */
export function redactJsonValue(
  value: JsonValue,
  redactText: (text: string) => string,
  options: RedactJsonOptions = {},
): JsonValue {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const walk = (v: unknown, depth: number): JsonValue => {
    if (v === null || typeof v === 'boolean') return v;
    if (typeof v === 'string') return redactText(v);
    if (typeof v === 'number') {
      const text = JSON.stringify(v); // what a serializer prints ("null" for NaN/Infinity)
      const redacted = redactText(text);
      return redacted === text ? v : redacted;
    }
    if (typeof v !== 'object') throw new RedactionError('redactJson: not a JSON value');
    if (depth >= maxDepth) throw new RedactionError('redactJson: nesting deeper than maxDepth');
    if (Array.isArray(v)) {
      const out: JsonValue[] = [];
      for (let i = 0; i < v.length; i++) out.push(walk(v[i], depth + 1));
      return out;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new RedactionError('redactJson: not a plain object');
    }
    const entries: [string, JsonValue][] = [];
    const used = new Set<string>();
    for (const key of Object.keys(v)) {
      let k = redactText(key);
      // Two keys can redact to the same marker; number the later ones instead of dropping data.
      if (used.has(k)) {
        let n = 2;
        while (used.has(`${k}#${n}`)) n++;
        k = `${k}#${n}`;
      }
      used.add(k);
      entries.push([k, walk((v as Record<string, unknown>)[key], depth + 1)]);
    }
    // fromEntries defines own properties: a "__proto__" key stays data, never a prototype.
    return Object.fromEntries(entries);
  };
  return walk(value, 0);
}
