/**
 * Redacts a JSON document as text: every string (object keys included) and every number passes
 * the redactor, and everything else is copied. Numbers keep their exact literal text, so a value
 * JavaScript cannot hold (`12345678901234567890`, `-0.0`, `1e400`) comes back as it was written;
 * a number whose text holds a secret becomes the redacted string. The walk is iterative: nesting
 * is bounded by `maxDepth`, never by the stack.
 */

export interface RedactJsonOptions {
  /** Containers nested deeper than this are refused (`too_deep`). Default 256. */
  readonly maxDepth?: number;
}

/** Why a document was not redacted: it is not JSON, or it nests deeper than `maxDepth`. */
export type JsonRefusal = 'invalid' | 'too_deep';

export const DEFAULT_MAX_JSON_DEPTH = 256;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

interface Frame {
  readonly object: boolean;
  /** Keys written so far (after redaction): two keys redacting alike must not collide. */
  readonly keys: Set<string> | null;
}

class Refused {
  constructor(readonly reason: JsonRefusal) {}
}

/**
 * Redacts the JSON document `text` with `redactText` (which returns the very same string when
 * nothing matched). The output is compact JSON; keys that redact to the same text get `#2`,
 * `#3`, … appended. Returns the refusal reason instead of throwing for input that is not JSON or
 * nests too deep.
 *
 * @example
 * redactJsonTextWith('{"n": 12345678901234567890}', (s) => s); // '{"n":12345678901234567890}'
 */
export function redactJsonTextWith(
  text: string,
  redactText: (s: string) => string,
  options: RedactJsonOptions = {},
): string | JsonRefusal {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  let i = 0;
  let out = '';
  const stack: Frame[] = [];

  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else return;
    }
  };
  const string = (): string => {
    if (text.charCodeAt(i) !== 0x22) throw new Refused('invalid');
    let j = i + 1;
    for (;;) {
      const c = text.charCodeAt(j);
      if (Number.isNaN(c)) throw new Refused('invalid');
      if (c === 0x5c) j += 2;
      else if (c === 0x22) break;
      else j++;
    }
    const literal = text.slice(i, j + 1);
    i = j + 1;
    try {
      // JSON.parse rejects control characters and bad escapes exactly as the grammar does.
      return JSON.parse(literal) as string;
    } catch {
      throw new Refused('invalid');
    }
  };
  const key = (frame: Frame) => {
    ws();
    let k = redactText(string());
    const keys = frame.keys as Set<string>;
    if (keys.has(k)) {
      let n = 2;
      while (keys.has(`${k}#${n}`)) n++;
      k = `${k}#${n}`;
    }
    keys.add(k);
    out += `${JSON.stringify(k)}:`;
    ws();
    if (text[i] !== ':') throw new Refused('invalid');
    i++;
  };
  const match = (re: RegExp): string | null => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m === null) return null;
    i = re.lastIndex;
    return m[0];
  };

  try {
    for (;;) {
      // A value.
      ws();
      const c = text[i];
      if (c === '{' || c === '[') {
        if (stack.length >= maxDepth) throw new Refused('too_deep');
        i++;
        const frame: Frame = { object: c === '{', keys: c === '{' ? new Set() : null };
        out += c;
        ws();
        const close = frame.object ? '}' : ']';
        if (text[i] === close) {
          i++;
          out += close;
        } else {
          stack.push(frame);
          if (frame.object) key(frame);
          continue;
        }
      } else if (c === '"') {
        out += JSON.stringify(redactText(string()));
      } else {
        const n = match(NUMBER);
        if (n !== null) {
          const redacted = redactText(n);
          out += redacted === n ? n : JSON.stringify(redacted);
        } else {
          const lit = match(LITERAL);
          if (lit === null) throw new Refused('invalid');
          out += lit;
        }
      }
      // After a value: the next element, or close containers.
      let next = false;
      while (stack.length > 0 && !next) {
        const frame = stack[stack.length - 1] as Frame;
        ws();
        const d = text[i];
        i++;
        if (d === ',') {
          out += ',';
          if (frame.object) key(frame);
          next = true;
        } else if (d === (frame.object ? '}' : ']')) {
          out += d;
          stack.pop();
        } else throw new Refused('invalid');
      }
      if (!next) {
        ws();
        if (i !== text.length) throw new Refused('invalid');
        return out;
      }
    }
  } catch (err) {
    if (err instanceof Refused) return err.reason;
    throw err;
  }
}
