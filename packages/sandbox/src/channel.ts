/**
 * The runner's side of the control channel: bounded newline splitting and strict validation of
 * what the runtime (and therefore, possibly, the script) sends. Nothing beyond this schema is
 * trusted; anything else ends the run with a protocol error.
 */
import type { JsonValue, LimitKind } from './types.js';

/** Messages the runtime may send. */
export type RuntimeMessage =
  | { t: 'started' }
  | { t: 'result'; value: JsonValue }
  | { t: 'llm'; prompt: string; model: string }
  | { t: 'done'; status: 'completed' }
  | { t: 'done'; status: 'error'; error: string; exitCode?: number }
  | { t: 'done'; status: 'limit'; limit: LimitKind; error: string };

const LIMIT_KINDS: ReadonlySet<string> = new Set<LimitKind>([
  'memory',
  'cpu',
  'output',
  'processes',
  'fileSize',
  'disk',
  'openFiles',
]);

/** Splits a byte stream into lines, refusing any line longer than `maxLine` bytes. */
export class LineSplitter {
  #parts: Buffer[] = [];
  #size = 0;
  readonly #maxLine: number;

  constructor(maxLine: number) {
    this.#maxLine = maxLine;
  }

  /** Returns the complete lines in `chunk`, or `null` once a line exceeds the bound. */
  push(chunk: Buffer): Buffer[] | null {
    const lines: Buffer[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      if (this.#size + piece.length > this.#maxLine) return null;
      lines.push(this.#size === 0 ? piece : Buffer.concat([...this.#parts, piece]));
      this.#parts = [];
      this.#size = 0;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      if (this.#size + rest.length > this.#maxLine) return null;
      this.#parts.push(Buffer.from(rest));
      this.#size += rest.length;
    }
    return lines;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses one line into a message, or returns a reason why it is not one.
 *
 * @example
 * parseMessage(Buffer.from('{"t":"started"}')); // { t: 'started' }
 */
export function parseMessage(line: Buffer): RuntimeMessage | { invalid: string } {
  let v: unknown;
  try {
    v = JSON.parse(line.toString('utf8'));
  } catch {
    return { invalid: 'control message is not JSON' };
  }
  if (!isObject(v)) return { invalid: 'control message is not an object' };
  switch (v.t) {
    case 'started':
      return { t: 'started' };
    case 'result':
      if (!('value' in v)) return { invalid: 'result message without value' };
      return { t: 'result', value: v.value as JsonValue };
    case 'llm':
      if (typeof v.prompt !== 'string' || typeof v.model !== 'string') {
        return { invalid: 'llm message needs string prompt and model' };
      }
      return { t: 'llm', prompt: v.prompt, model: v.model };
    case 'done': {
      if (v.status === 'completed') return { t: 'done', status: 'completed' };
      if (typeof v.error !== 'string') return { invalid: 'done message without error text' };
      if (v.status === 'error') {
        // sys.exit(n): the runtime reports the status it would have exited with.
        if (typeof v.exitCode === 'number' && Number.isSafeInteger(v.exitCode)) {
          return { t: 'done', status: 'error', error: v.error, exitCode: v.exitCode };
        }
        return { t: 'done', status: 'error', error: v.error };
      }
      if (v.status === 'limit' && typeof v.limit === 'string' && LIMIT_KINDS.has(v.limit)) {
        return { t: 'done', status: 'limit', limit: v.limit as LimitKind, error: v.error };
      }
      return { invalid: 'done message with an unknown status' };
    }
    default:
      return { invalid: 'unknown control message' };
  }
}
