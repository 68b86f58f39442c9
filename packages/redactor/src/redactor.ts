/**
 * `createRedactor`: compiles named secrets into one automaton over all their variants, and the
 * three entry points built on it (whole string or bytes, stream of chunks, JSON value).
 */
import { StringDecoder } from 'node:string_decoder';
import { buildAutomaton } from './automaton.js';
import { failClosed, RedactionError, RedactorConfigError } from './errors.js';
import { type JsonRefusal, type RedactJsonOptions, redactJsonTextWith } from './json.js';
import { type Compiled, type Piece, Session } from './session.js';
import {
  DEFAULT_MIN_LENGTH,
  nodeUnprintable,
  type UnprintableRanges,
  type UnprintableTest,
  unprintableTest,
  variantsOf,
} from './variants.js';

/** A secret to redact: the name shown in the marker, and the value. */
export interface Secret {
  readonly name: string;
  readonly value: string;
}

export interface RedactorOptions {
  /** Variants (and values) shorter than this many UTF-8 bytes are not redacted. Default 8. */
  readonly minLength?: number;
  /**
   * Budget of the automaton's dense transition table, in 4-byte entries (default 4 Mi = 16 MiB);
   * states beyond it use sparse transitions. Only a tuning knob: results never depend on it.
   */
  readonly denseTableEntries?: number;
  /**
   * The code points Python's `repr` escapes, as the interpreter that runs scripts reports them
   * (`str.isprintable()` false). Default: Node's Unicode tables, which differ from Python's
   * wherever the two Unicode versions do, so a `repr` variant would miss.
   */
  readonly pythonUnprintable?: UnprintableRanges;
}

/** A secret that produced no pattern because its value is shorter than the minimum length. */
export interface UnredactableSecret {
  /** Position in the list given to {@link createRedactor}. */
  readonly index: number;
  readonly name: string;
  readonly reason: 'empty' | 'too_short';
}

/** Number of masked ranges each secret name appeared in (for the audit record). */
export type RedactionCounts = Readonly<Record<string, number>>;

export interface RedactedText {
  readonly text: string;
  readonly counts: RedactionCounts;
}

/** A redacted JSON document, or why it could not be read (nothing of it may be released). */
export type RedactedJson =
  | { readonly ok: true; readonly text: string; readonly counts: RedactionCounts }
  | { readonly ok: false; readonly reason: JsonRefusal };

export interface StreamOptions {
  /**
   * Cap on the redacted output text, in UTF-8 bytes (default: none). Redaction happens first;
   * what is past the cap is dropped (a marker is never cut, a character is never split) and the
   * end result says `truncated: true` with the number of bytes omitted.
   */
  readonly maxOutputBytes?: number;
  /**
   * Live output (default 0: off). `write` releases only input at least this many bytes behind
   * the end, a fixed length that must not depend on the secrets (choose it, never derive it from
   * `maxPatternLength`), and releases a masked range as soon as it starts before that point. More
   * is withheld only while the last bytes already repeat more than this many bytes of the start
   * of an encoded secret. `end()` releases the rest as usual.
   */
  readonly holdbackBytes?: number;
}

export interface StreamEndOptions {
  /**
   * Set when the producer stopped capturing raw output at a limit. Only the input before byte
   * `maxOutputBytes` is then released (a secret starting before it is masked whole); the input
   * past it serves only to complete such a secret. Capture `maxOutputBytes + margin` bytes with a
   * margin of at least `maxPatternLength` that does not depend on the secrets (see
   * `variantLengthBound`): where the capture stops must not depend on the secrets either.
   * Fewer bytes of context fail closed (RedactionError).
   */
  readonly inputTruncated?: boolean;
}

export interface StreamResult {
  /** The text released by `end()` (append it to what `write()` returned). */
  readonly text: string;
  /** True when output was dropped at the cap or the input was cut (`inputTruncated`). */
  readonly truncated: boolean;
  /** Redacted output bytes not returned because of the cap or a withheld tail. */
  readonly omittedBytes: number;
  readonly counts: RedactionCounts;
}

/** A chunk-boundary-safe redacting stream; see {@link Redactor.createStream}. */
export interface RedactionStream {
  /** Feeds raw output; returns the newly released redacted text (often `''`). */
  write(chunk: Uint8Array | string): string;
  /** Ends the stream and releases the held-back tail. */
  end(options?: StreamEndOptions): StreamResult;
}

/**
 * Bytes in, bytes out: masked ranges become markers, every other byte is kept as it was (binary
 * data stays intact; nothing is decoded). For data passed on rather than shown: an HTTP response
 * on its way into a sandbox.
 */
export interface ByteRedactionStream {
  /** Feeds bytes; returns the bytes released so far (often fewer: a possible match is held). */
  write(chunk: Uint8Array): Buffer;
  /** Releases the held-back tail. */
  end(): Buffer;
}

export interface Redactor {
  /**
   * Length in bytes of the longest pattern. It depends on the secrets: never let anything a
   * script can observe depend on it (capture with a fixed margin, see `variantLengthBound`).
   */
  readonly maxPatternLength: number;
  /** Number of distinct byte patterns (all variants of all secrets). */
  readonly patternCount: number;
  /** Secrets whose value is too short (or empty) to be redacted at all. */
  readonly unredactable: readonly UnredactableSecret[];
  /** Redacts a whole string (as its UTF-8 bytes). */
  redactString(text: string): RedactedText;
  /** Redacts a whole byte buffer; invalid UTF-8 outside secrets becomes U+FFFD. */
  redactBytes(bytes: Uint8Array): RedactedText;
  /**
   * Redacts a JSON document given as text: every string (keys and values) and number, keeping
   * each number's exact literal. Input that is not JSON, or nests deeper than `maxDepth`, is
   * refused with the reason (an expected outcome, not an exception).
   */
  redactJsonText(text: string, options?: RedactJsonOptions): RedactedJson;
  /** A stream for output that arrives in chunks. */
  createStream(options?: StreamOptions): RedactionStream;
  /** A byte-preserving stream (see {@link ByteRedactionStream}). */
  createByteStream(): ByteRedactionStream;
  /**
   * Captured output in one call: redacts, then applies the cap. `text` is the whole result.
   * Pass `inputTruncated` when the capture stopped at its limit (`cap` + a fixed margin).
   */
  redactOutput(
    bytes: Uint8Array | string,
    options?: StreamOptions & StreamEndOptions,
  ): StreamResult;
}

const encoder = new TextEncoder();

/** Marker text: control characters and brackets in a name would garble the marker or logs. */
function markerFor(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced.
  return `[REDACTED:${name.replace(/[\u0000-\u001f\u007f[\]]/g, '_')}]`;
}

function validate(
  secrets: readonly Secret[],
  options: RedactorOptions,
): { minLength: number; unprintable: UnprintableTest } {
  if (!Array.isArray(secrets))
    throw new RedactorConfigError('createRedactor: secrets must be an array');
  const minLength = options.minLength ?? DEFAULT_MIN_LENGTH;
  if (!Number.isInteger(minLength) || minLength < 1) {
    throw new RedactorConfigError('createRedactor: minLength must be an integer ≥ 1');
  }
  let unprintable = nodeUnprintable;
  if (options.pythonUnprintable !== undefined) {
    try {
      unprintable = unprintableTest(options.pythonUnprintable);
    } catch {
      throw new RedactorConfigError('createRedactor: pythonUnprintable must be sorted ranges');
    }
  }
  secrets.forEach((s, i) => {
    if (typeof s !== 'object' || s === null) {
      throw new RedactorConfigError(`createRedactor: secret #${i} is not an object`);
    }
    if (typeof s.name !== 'string' || s.name.length === 0) {
      throw new RedactorConfigError(`createRedactor: secret #${i} needs a non-empty string name`);
    }
    if (typeof s.value !== 'string') {
      throw new RedactorConfigError(`createRedactor: secret #${i} value must be a string`);
    }
  });
  return { minLength, unprintable };
}

function compile(
  secrets: readonly Secret[],
  variantOptions: { minLength: number; unprintable: UnprintableTest },
  options: RedactorOptions,
): { compiled: Compiled; unredactable: UnredactableSecret[] } {
  const unredactable: UnredactableSecret[] = [];
  const patternIds = new Map<string, number>();
  const patterns: Uint8Array[] = [];
  const owners: number[][] = [];
  secrets.forEach((s, index) => {
    const variants = variantsOf(s.value, variantOptions);
    if (variants.length === 0) {
      unredactable.push({
        index,
        name: s.name,
        reason: s.value.length === 0 ? 'empty' : 'too_short',
      });
    }
    for (const v of variants) {
      const key = Buffer.from(v.bytes.buffer, v.bytes.byteOffset, v.bytes.length).toString(
        'latin1',
      );
      let id = patternIds.get(key);
      if (id === undefined) {
        id = patterns.length;
        patternIds.set(key, id);
        patterns.push(v.bytes);
        owners.push([]);
      }
      const list = owners[id] as number[];
      if (list[list.length - 1] !== index) list.push(index);
    }
  });

  // Rank secrets by (name, index) so a range's name does not depend on input order quirks.
  const byName = secrets.map((_, i) => i);
  byName.sort((x, y) => {
    const a = (secrets[x] as Secret).name;
    const b = (secrets[y] as Secret).name;
    return a < b ? -1 : a > b ? 1 : x - y;
  });
  const rank = new Int32Array(secrets.length);
  byName.forEach((secret, r) => {
    rank[secret] = r;
  });

  const patternSecretStart = new Int32Array(patterns.length + 1);
  const flat: number[] = [];
  const patternBestSecret = new Int32Array(patterns.length);
  owners.forEach((list, p) => {
    patternSecretStart[p] = flat.length;
    let best = list[0] as number;
    for (const id of list) {
      flat.push(id);
      if ((rank[id] as number) < (rank[best] as number)) best = id;
    }
    patternBestSecret[p] = best;
  });
  patternSecretStart[patterns.length] = flat.length;

  const automaton = buildAutomaton(
    patterns,
    options.denseTableEntries === undefined ? {} : { maxDenseEntries: options.denseTableEntries },
  );
  const names = secrets.map((s) => s.name);
  const compiled: Compiled = {
    automaton,
    patternSecretStart,
    patternSecrets: Int32Array.from(flat),
    patternBestSecret,
    rank,
    names,
    markers: names.map((n) => encoder.encode(markerFor(n))),
  };
  // A name could itself contain a secret's variant; such a marker would leak it. Use a bare one.
  const safeMarkers = compiled.markers.map((m) => {
    const probe = new Session(compiled);
    probe.write(m);
    probe.end(false);
    return probe.rangeCount === 0 ? m : encoder.encode('[REDACTED]');
  });
  return { compiled: { ...compiled, markers: safeMarkers }, unredactable };
}

function countsOf(map: ReadonlyMap<string, number>): RedactionCounts {
  // fromEntries defines own properties, so a name like "__proto__" stays an ordinary key.
  return Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function toBytes(chunk: Uint8Array | string): Uint8Array {
  if (typeof chunk === 'string') return encoder.encode(chunk);
  if (chunk instanceof Uint8Array) return chunk;
  throw new RedactionError('redactor: chunk must be a Uint8Array or a string');
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

class Stream implements RedactionStream {
  private readonly session: Session;
  // Node's decoder: WHATWG replacement of invalid sequences (U+FFFD, like a non-fatal
  // TextDecoder, which the tests' reference uses), keeps a BOM, and is faster than TextDecoder.
  private readonly decoder = new StringDecoder('utf8');
  private done = false;
  private failed = false;
  /** UTF-8 bytes of text returned so far; the cap applies to the text, after decoding. */
  private outBytes = 0;
  private capped = false;
  private omitted = 0;

  constructor(
    compiled: Compiled,
    private readonly cap: number,
    holdback: number,
  ) {
    // The cap also bounds the raw input that can be released (see Session.end).
    this.session = new Session(compiled, cap, holdback);
  }

  write(chunk: Uint8Array | string): string {
    return this.guard('write', () => {
      if (this.done) throw new RedactionError('redactor: write() after end()');
      return this.emit(this.session.write(toBytes(chunk)), false);
    });
  }

  end(options: StreamEndOptions = {}): StreamResult {
    return this.guard('end', () => {
      if (this.done) throw new RedactionError('redactor: end() called twice');
      this.done = true;
      const inputTruncated = options.inputTruncated === true;
      const r = this.session.end(inputTruncated);
      const text = this.emit(r.pieces, true);
      return {
        text,
        truncated: this.capped || inputTruncated,
        omittedBytes: this.omitted + r.withheldBytes,
        counts: countsOf(this.session.counts),
      };
    });
  }

  /** A failed stream stays failed: nothing more is ever released from it. */
  private guard<T>(what: string, fn: () => T): T {
    if (this.failed) throw new RedactionError('redactor: stream failed earlier; output withheld');
    try {
      return failClosed(`redaction stream ${what}`, fn);
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  private emit(pieces: readonly Piece[], last: boolean): string {
    let text = '';
    for (const p of pieces) text += this.admit(this.decoder.write(asBuffer(p.bytes)), p.marker);
    if (last) text += this.admit(this.decoder.end(), false);
    return text;
  }

  /** Applies the cap: a marker is admitted whole or not at all, text is cut between characters. */
  private admit(text: string, whole: boolean): string {
    if (text.length === 0) return '';
    const size = Buffer.byteLength(text, 'utf8');
    if (this.capped) {
      this.omitted += size;
      return '';
    }
    if (this.outBytes + size <= this.cap) {
      this.outBytes += size;
      return text;
    }
    this.capped = true;
    if (whole) {
      this.omitted += size;
      return '';
    }
    const room = this.cap - this.outBytes;
    let kept = 0;
    let units = 0;
    for (const ch of text) {
      const n = utf8Length(ch.codePointAt(0) ?? 0);
      if (kept + n > room) break;
      kept += n;
      units += ch.length;
    }
    this.outBytes += kept;
    this.omitted += size - kept;
    return text.slice(0, units);
  }
}

class CompiledRedactor implements Redactor {
  readonly maxPatternLength: number;
  readonly patternCount: number;

  constructor(
    private readonly compiled: Compiled,
    readonly unredactable: readonly UnredactableSecret[],
  ) {
    this.maxPatternLength = compiled.automaton.maxPatternLength;
    this.patternCount = compiled.patternBestSecret.length;
  }

  redactString(text: string): RedactedText {
    return failClosed('redactString', () => {
      if (typeof text !== 'string') throw new RedactionError('redactString: not a string');
      const { result, ranges } = this.whole(encoder.encode(text));
      // No match: hand back the very string (keeps lone surrogates instead of U+FFFD).
      return ranges === 0 ? { text, counts: result.counts } : result;
    });
  }

  redactBytes(bytes: Uint8Array): RedactedText {
    return failClosed('redactBytes', () => this.whole(toBytes(bytes)).result);
  }

  redactJsonText(text: string, options: RedactJsonOptions = {}): RedactedJson {
    return failClosed('redactJsonText', () => {
      if (typeof text !== 'string') throw new RedactionError('redactJsonText: not a string');
      const counts = new Map<string, number>();
      const redactText = (s: string): string => {
        const { result, ranges } = this.whole(encoder.encode(s));
        if (ranges === 0) return s;
        for (const [name, n] of Object.entries(result.counts)) {
          counts.set(name, (counts.get(name) ?? 0) + n);
        }
        return result.text;
      };
      const out = redactJsonTextWith(text, redactText, options);
      if (out === 'invalid' || out === 'too_deep') return { ok: false, reason: out };
      return { ok: true, text: out, counts: countsOf(counts) };
    });
  }

  createStream(options: StreamOptions = {}): RedactionStream {
    const cap = options.maxOutputBytes ?? Number.POSITIVE_INFINITY;
    if (!(cap >= 0)) throw new RedactorConfigError('createStream: maxOutputBytes must be ≥ 0');
    const holdback = options.holdbackBytes ?? 0;
    if (!(Number.isInteger(holdback) && holdback >= 0))
      throw new RedactorConfigError('createStream: holdbackBytes must be an integer ≥ 0');
    return new Stream(this.compiled, cap, holdback);
  }

  createByteStream(): ByteRedactionStream {
    const session = new Session(this.compiled);
    const join = (pieces: readonly Piece[]) => Buffer.concat(pieces.map((p) => p.bytes));
    let failed = false;
    const guard = (what: string, fn: () => Buffer) => {
      if (failed) throw new RedactionError('redactor: byte stream failed earlier; output withheld');
      try {
        return failClosed(`byte stream ${what}`, fn);
      } catch (err) {
        failed = true;
        throw err;
      }
    };
    return {
      write: (chunk) => guard('write', () => join(session.write(toBytes(chunk)))),
      end: () => guard('end', () => join(session.end(false).pieces)),
    };
  }

  redactOutput(
    bytes: Uint8Array | string,
    options: StreamOptions & StreamEndOptions = {},
  ): StreamResult {
    const stream = this.createStream(
      options.maxOutputBytes === undefined ? {} : { maxOutputBytes: options.maxOutputBytes },
    );
    const head = stream.write(bytes);
    const end = stream.end(options.inputTruncated === true ? { inputTruncated: true } : {});
    return { ...end, text: head + end.text };
  }

  private whole(bytes: Uint8Array): { result: RedactedText; ranges: number } {
    const session = new Session(this.compiled);
    const pieces = [...session.write(bytes), ...session.end(false).pieces];
    // One decode of the joined output: cheaper than decoding piece by piece.
    const joined =
      pieces.length === 1
        ? asBuffer((pieces[0] as Piece).bytes)
        : Buffer.concat(pieces.map((p) => p.bytes));
    const text = joined.toString('utf8');
    return { result: { text, counts: countsOf(session.counts) }, ranges: session.rangeCount };
  }
}

/**
 * Compiles `secrets` (every variant of every value, see `variantsOf`) into a redactor. Build it
 * before reading the first byte of output. Throws {@link RedactorConfigError} on invalid input;
 * values too short to redact are listed in `unredactable`, not rejected.
 *
 * @example
 * const r = createRedactor([{ name: 'API_TOKEN', value: 'tok_live_0123456789' }]);
 * r.redactString('token=tok_live_0123456789').text; // 'token=[REDACTED:API_TOKEN]'
 */
export function createRedactor(
  secrets: readonly Secret[],
  options: RedactorOptions = {},
): Redactor {
  const variantOptions = validate(secrets, options);
  const { compiled, unredactable } = compile(secrets, variantOptions, options);
  return new CompiledRedactor(compiled, unredactable);
}
