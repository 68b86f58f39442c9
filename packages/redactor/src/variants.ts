/**
 * The encoded forms ("variants") of a secret value that a script is likely to print by accident:
 * the families listed in the security design, each reproducing byte for byte what JavaScript's
 * `JSON.stringify` and Python 3's `json.dumps`, `repr`, `urllib.parse.quote(_plus)`, `base64`
 * and `bytes.hex` produce. Every family works on the value's UTF-8 bytes or code points; nothing
 * here is locale or platform dependent.
 */

/** The variant families, in the order they are generated. */
export type VariantFamily =
  | 'raw'
  | 'line'
  | 'json'
  | 'json-ascii'
  | 'python-repr-str'
  | 'python-repr-bytes'
  | 'python-repr-cut'
  | 'number'
  | 'percent'
  | 'base64'
  | 'base64url'
  | 'hex';

/** One encoded form of a secret value, as the bytes that would appear in the output. */
export interface Variant {
  readonly family: VariantFamily;
  readonly bytes: Uint8Array;
}

/** Minimum variant length (bytes) used when the caller does not choose one. */
export const DEFAULT_MIN_LENGTH = 8;

/**
 * No variant is longer than this many bytes per UTF-16 code unit of the value: Python's `repr`
 * of a 3-byte UTF-8 character as bytes is `\xe2\x9c\x93`, 12 bytes for one code unit.
 */
export const MAX_VARIANT_BYTES_PER_UNIT = 12;

/**
 * The longest any variant of a value of at most `maxValueLength` UTF-16 code units can be. A
 * capture margin past an output cap must be at least the longest pattern, and must not depend on
 * the stored secrets (a margin of `maxPatternLength` would tell a script the longest secret's
 * length): derive it from the largest value the application accepts.
 *
 * @example
 * variantLengthBound(65_536); // 786432
 */
export function variantLengthBound(maxValueLength: number): number {
  return MAX_VARIANT_BYTES_PER_UNIT * maxValueLength;
}

/**
 * Code point ranges `[first, last]` (inclusive, sorted, disjoint) where Python's
 * `str.isprintable()` is false, as the interpreter that runs scripts reports them: its Unicode
 * tables decide which characters `repr` escapes, and they are older or newer than Node's.
 */
export type UnprintableRanges = readonly (readonly [number, number])[];

/** Whether a code point is not printable for Python (a `repr` escapes it). */
export type UnprintableTest = (codePoint: number) => boolean;

// Python's str.isprintable() is false for these general categories (space excepted). Node's
// Unicode tables stand in for Python's only when no table from the interpreter is given.
const NOT_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

/** The stand-in test from Node's own Unicode tables (see {@link UnprintableRanges}). */
export const nodeUnprintable: UnprintableTest = (c) => NOT_PRINTABLE.test(String.fromCodePoint(c));

/**
 * A test over ranges from the interpreter. Throws a RangeError on ranges that are not sorted,
 * disjoint code point ranges.
 *
 * @example
 * unprintableTest([[0, 31], [127, 160]])(0x85); // true
 */
export function unprintableTest(ranges: UnprintableRanges): UnprintableTest {
  let prev = -1;
  for (const r of ranges) {
    const [a, b] = r;
    if (!Number.isInteger(a) || !Number.isInteger(b) || a <= prev || b < a || b > 0x10ffff) {
      throw new RangeError('unprintable ranges must be sorted, disjoint code point ranges');
    }
    prev = b;
  }
  const starts = Int32Array.from(ranges, (r) => r[0]);
  const ends = Int32Array.from(ranges, (r) => r[1]);
  return (c) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (c < (starts[mid] as number)) hi = mid - 1;
      else if (c > (ends[mid] as number)) lo = mid + 1;
      else return true;
    }
    return false;
  };
}

const encoder = new TextEncoder();

function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

function hex2(n: number, upper = false): string {
  const s = n.toString(16).padStart(2, '0');
  return upper ? s.toUpperCase() : s;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** JSON short escapes shared by JavaScript and Python (`json.dumps`). */
const JSON_SHORT: Readonly<Record<number, string>> = {
  8: '\\b',
  9: '\\t',
  10: '\\n',
  12: '\\f',
  13: '\\r',
  34: '\\"',
  92: '\\\\',
};

/**
 * The inside of a JSON string literal (no surrounding quotes).
 *
 * `asciiOnly: false` is what `JSON.stringify` and Python's `json.dumps(..., ensure_ascii=False)`
 * print; `asciiOnly: true` is Python's default `json.dumps`, which also escapes DEL and every
 * non-ASCII code unit as lowercase `\uXXXX` (non-BMP characters as a surrogate pair).
 *
 * @example
 * jsonEscape('a"b\n', false); // 'a\\"b\\n'
 * jsonEscape('é', true); // '\\u00e9'
 */
export function jsonEscape(value: string, asciiOnly: boolean): string {
  let out = '';
  // Iterating UTF-16 code units on purpose: JSON escapes non-BMP characters as surrogate pairs.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const short = JSON_SHORT[c];
    if (short !== undefined) out += short;
    else if (c < 0x20) out += `\\u${hex4(c)}`;
    else if (asciiOnly && c > 0x7e) out += `\\u${hex4(c)}`;
    else if (!asciiOnly && c >= 0xd800 && c <= 0xdfff && !isPairedSurrogate(value, i)) {
      // Well-formed JSON.stringify escapes lone surrogates (Python cannot hold them in UTF-8).
      out += `\\u${hex4(c)}`;
    } else out += value[i];
  }
  return out;
}

function isPairedSurrogate(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    return d >= 0xdc00 && d <= 0xdfff;
  }
  const p = s.charCodeAt(i - 1);
  return p >= 0xd800 && p <= 0xdbff;
}

/**
 * The inside of Python's `repr()` of a `str` (no surrounding quotes).
 *
 * Python quotes with `'` and escapes `'` inside, except when the text holds `'` and no `"`: then
 * it quotes with `"` and escapes neither. `escapeSingleQuote` picks which of the two to produce.
 *
 * @example
 * pythonReprStr("it's\n", true); // "it\\'s\\n"
 * pythonReprStr('\u00a0', false); // '\\xa0'
 */
export function pythonReprStr(
  value: string,
  escapeSingleQuote: boolean,
  unprintable: UnprintableTest = nodeUnprintable,
): string {
  let out = '';
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x27 && escapeSingleQuote) out += "\\'";
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${hex2(c)}`;
    else if (c < 0x7f) out += ch;
    else if (!unprintable(c)) out += ch;
    else if (c <= 0xff) out += `\\x${hex2(c)}`;
    else if (c <= 0xffff) out += `\\u${hex4(c)}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return out;
}

/**
 * The inside of Python's `repr()` of `bytes` (no `b` and quotes): of the value's UTF-8 bytes when
 * given a string.
 *
 * @example
 * pythonReprBytes('é\t', true); // '\\xc3\\xa9\\t'
 */
export function pythonReprBytes(value: string | Uint8Array, escapeSingleQuote: boolean): string {
  let out = '';
  for (const c of typeof value === 'string' ? utf8(value) : value) {
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x27 && escapeSingleQuote) out += "\\'";
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += `\\x${hex2(c)}`;
    else out += String.fromCharCode(c);
  }
  return out;
}

/** Python quotes a repr with `"` only when the text holds `'` and no `"`. */
function pythonQuote(hasSingle: boolean, hasDouble: boolean): "'" | '"' {
  return hasSingle && !hasDouble ? '"' : "'";
}

/** Python's `%.200R`: `int()`'s "invalid literal" message keeps 200 characters of the repr. */
export const PYTHON_REPR_CUT = 200;

/**
 * The cut reprs CPython prints for a long value: `int(value)` fails with `invalid literal for
 * int() with base 10: %.200R` of the string, and `int(value.encode())` with the same of its first
 * 200 bytes. Each form is the first {@link PYTHON_REPR_CUT} characters of that repr, opening quote
 * included, and exists only when the repr is longer than that (a shorter one is printed whole,
 * which the `python-repr-*` variants cover).
 *
 * @example
 * pythonReprCuts('x'.repeat(300))[0]; // "'" + 'x'.repeat(199)
 */
export function pythonReprCuts(
  value: string,
  unprintable: UnprintableTest = nodeUnprintable,
): string[] {
  const out: string[] = [];
  const q = pythonQuote(value.includes("'"), value.includes('"'));
  const strRepr = [...`${q}${pythonReprStr(value, q === "'", unprintable)}${q}`];
  if (strRepr.length > PYTHON_REPR_CUT) out.push(strRepr.slice(0, PYTHON_REPR_CUT).join(''));
  const head = utf8(value).subarray(0, PYTHON_REPR_CUT);
  const bq = pythonQuote(head.includes(0x27), head.includes(0x22));
  const bytesRepr = `b${bq}${pythonReprBytes(head, bq === "'")}${bq}`; // ASCII only
  if (bytesRepr.length > PYTHON_REPR_CUT) out.push(bytesRepr.slice(0, PYTHON_REPR_CUT));
  return out;
}

/**
 * Python's `repr(float)` (also what `json.dumps` and `str` print): the shortest digits that
 * round-trip, in fixed notation for decimal exponents −4 ≤ e < 16, else `d.ddde±XX`.
 *
 * @example
 * pythonFloatRepr(1e16); // '1e+16'
 * pythonFloatRepr(12345678901234567890); // '1.2345678901234567e+19'
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() without digits gives the shortest round-trip digits, as Python's repr does.
  const [mantissa, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    return `${sign}${whole}.${frac === '' ? '0' : frac}`;
  }
  const rest = digits.slice(1);
  const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return `${sign}${digits[0]}${rest === '' ? '' : `.${rest}`}e${e}`;
}

const WS = '[ \\t\\n\\v\\f\\r]*';
const DIGITS = '\\d(?:_?\\d)*';
const INT_LITERAL = new RegExp(`^${WS}([+-]?)(${DIGITS})${WS}$`);
const FLOAT_LITERAL = new RegExp(
  `^${WS}([+-]?(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][+-]?${DIGITS})?)${WS}$`,
);

/**
 * The numbers a numeric value becomes in a script: `str(int(value))` (no sign, leading zeros,
 * underscores or spaces) and `repr(float(value))`, for values Python's `int()` / `float()` accept
 * in ASCII digits. A value that is not a number has none.
 *
 * @example
 * numericForms('00012345678901'); // ['12345678901', '12345678901.0']
 */
export function numericForms(value: string): string[] {
  const out: string[] = [];
  const int = INT_LITERAL.exec(value);
  if (int) {
    const digits = (int[2] as string).replace(/_/g, '').replace(/^0+(?=\d)/, '');
    out.push(int[1] === '-' && digits !== '0' ? `-${digits}` : digits);
  }
  const float = FLOAT_LITERAL.exec(value);
  if (float) {
    const x = Number((float[1] as string).replace(/_/g, ''));
    if (Number.isFinite(x)) out.push(pythonFloatRepr(x));
  }
  return out;
}

/** How one percent-encoder treats the characters outside the always-safe set. */
export interface PercentStyle {
  /** Characters besides ASCII letters and digits left as they are. */
  readonly safe: string;
  /** `quote_plus` and form encoding print a space as `+`. */
  readonly spaceAsPlus: boolean;
  readonly upperHex: boolean;
}

/** ASCII bytes left unencoded, per `safe` string (built once per style). */
const safeTables = new Map<string, Uint8Array>();

function safeTable(safe: string): Uint8Array {
  let table = safeTables.get(safe);
  if (table === undefined) {
    table = new Uint8Array(128);
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      if (/^[A-Za-z0-9]$/.test(ch) || safe.includes(ch)) table[c] = 1;
    }
    safeTables.set(safe, table);
  }
  return table;
}

/**
 * Percent-encodes the value's UTF-8 bytes. `{safe: '_.-~/', spaceAsPlus: false, upperHex: true}`
 * is Python's `urllib.parse.quote`, `{safe: '_.-~', spaceAsPlus: true, upperHex: true}` its
 * `quote_plus`.
 *
 * @example
 * percentEncode('a b/é', { safe: '_.-~/', spaceAsPlus: false, upperHex: true }); // 'a%20b/%C3%A9'
 */
export function percentEncode(value: string, style: PercentStyle): string {
  const safe = safeTable(style.safe);
  let out = '';
  for (const c of utf8(value)) {
    if (c < 0x80 && safe[c] === 1) out += String.fromCharCode(c);
    else if (c === 0x20 && style.spaceAsPlus) out += '+';
    else out += `%${hex2(c, style.upperHex)}`;
  }
  return out;
}

/**
 * The percent-encoder styles covered: Python's `quote` (safe `/`), `quote(safe='')`, `quote_plus`
 * (also with safe `/`), JavaScript's `encodeURIComponent` and `URLSearchParams` (form encoding),
 * each in upper and lower hex.
 */
export const PERCENT_STYLES: readonly PercentStyle[] = [
  { safe: '_.-~/', spaceAsPlus: false }, // quote
  { safe: '_.-~', spaceAsPlus: false }, // quote(safe='')
  { safe: '_.-~', spaceAsPlus: true }, // quote_plus
  { safe: '_.-~/', spaceAsPlus: true }, // quote_plus(safe='/')
  { safe: "-_.!~*'()", spaceAsPlus: false }, // encodeURIComponent
  { safe: '*-._', spaceAsPlus: true }, // URLSearchParams, HTML forms
].flatMap((s) => [
  { ...s, upperHex: true },
  { ...s, upperHex: false },
]);

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The base64 characters of `prefix(offset) + bytes + suffix` that depend only on `bytes`, for
 * any unknown prefix of `offset` bytes and any (or no) suffix: character `i` encodes bits
 * `[6i, 6i + 6)` and is kept only when all of them fall inside the value. So no padding and no
 * last partial character, and the first one or two characters are dropped at offsets 1 and 2.
 *
 * @example
 * base64Fragment(new TextEncoder().encode('hello world!!'), 1, false); // 'hlbGxvIHdvcmxkIS'
 */
export function base64Fragment(bytes: Uint8Array, offset: 0 | 1 | 2, urlSafe: boolean): string {
  const alphabet = urlSafe ? B64URL : B64;
  const startBit = 8 * offset;
  const endBit = 8 * (offset + bytes.length);
  const first = Math.ceil(startBit / 6);
  const last = Math.floor(endBit / 6); // exclusive
  let out = '';
  for (let i = first; i < last; i++) {
    let v = 0;
    for (let bit = 6 * i; bit < 6 * i + 6; bit++) {
      const byte = bytes[(bit >> 3) - offset] ?? 0;
      v = (v << 1) | ((byte >> (7 - (bit & 7))) & 1);
    }
    out += alphabet[v];
  }
  return out;
}

/**
 * Lowercase or uppercase hex of the value's UTF-8 bytes (Python's `.hex()`, `binascii.hexlify`).
 *
 * @example
 * hexEncode('Az', true); // '417A'
 */
export function hexEncode(value: string, upper: boolean): string {
  let out = '';
  for (const c of utf8(value)) out += hex2(c, upper);
  return out;
}

/** Options for {@link variantsOf}. */
export interface VariantOptions {
  /** Variants shorter than this many bytes are dropped (default {@link DEFAULT_MIN_LENGTH}). */
  readonly minLength?: number;
  /**
   * Which code points Python's `repr` escapes, from the interpreter that runs scripts
   * ({@link unprintableTest}); default {@link nodeUnprintable}, which differs from a Python
   * built on another Unicode version.
   */
  readonly unprintable?: UnprintableTest;
}

/**
 * Every distinct variant of `value` at least `minLength` bytes long, or `[]` when the value itself
 * (its raw UTF-8 bytes) is shorter than `minLength`: such a value cannot be redacted and is
 * reported instead (masking an encoded form while its raw form prints would be a false promise).
 *
 * @example
 * variantsOf('hunter2hunter2').map((v) => v.family);
 * // ['raw', 'base64', 'base64', 'base64', 'base64url', ..., 'hex', 'hex']
 */
export function variantsOf(value: string, options: VariantOptions = {}): Variant[] {
  const minLength = options.minLength ?? DEFAULT_MIN_LENGTH;
  const raw = utf8(value);
  if (raw.length < minLength) return [];
  const seen = new Set<string>();
  const out: Variant[] = [];
  const add = (family: VariantFamily, text: string | Uint8Array): void => {
    const bytes = typeof text === 'string' ? utf8(text) : text;
    if (bytes.length < minLength) return;
    // Latin-1 is a lossless byte → string mapping, good enough as a dedupe key.
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ family, bytes });
  };

  add('raw', raw);
  // Lines as security.md splits them, and as Python's str.splitlines() does (which also breaks
  // on \v, \f, \x1c-\x1e, \x85, U+2028 and U+2029), for a script printing line by line.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are line breaks to Python.
  for (const separators of [/\r\n|\n|\r/, /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/]) {
    const lines = value.split(separators);
    if (lines.length > 1) for (const line of lines) add('line', line);
  }
  add('json', jsonEscape(value, false));
  add('json-ascii', jsonEscape(value, true));
  const unprintable = options.unprintable ?? nodeUnprintable;
  for (const q of [true, false]) add('python-repr-str', pythonReprStr(value, q, unprintable));
  for (const q of [true, false]) add('python-repr-bytes', pythonReprBytes(value, q));
  for (const cut of pythonReprCuts(value, unprintable)) add('python-repr-cut', cut);
  for (const n of numericForms(value)) add('number', n);
  for (const style of PERCENT_STYLES) add('percent', percentEncode(value, style));
  for (const offset of [0, 1, 2] as const) add('base64', base64Fragment(raw, offset, false));
  for (const offset of [0, 1, 2] as const) add('base64url', base64Fragment(raw, offset, true));
  add('hex', hexEncode(value, false));
  add('hex', hexEncode(value, true));
  return out;
}

/**
 * A Python program that prints, as `first-last` hex pairs joined by commas, the code point
 * ranges where `str.isprintable()` is false: run it with the interpreter that runs scripts
 * (`python3 -I -c PYTHON_UNPRINTABLE_PROBE`, about 0.1 s) and give its output to
 * {@link parseUnprintableRanges}.
 */
export const PYTHON_UNPRINTABLE_PROBE = [
  'import sys',
  'b = bytes(map(str.isprintable, map(chr, range(sys.maxunicode + 1))))',
  'out, i = [], 0',
  'while (s := b.find(0, i)) >= 0:',
  '    e = b.find(1, s)',
  '    e = len(b) if e < 0 else e',
  '    out.append("%x-%x" % (s, e - 1))',
  '    i = e',
  'sys.stdout.write(",".join(out))',
].join('\n');

/**
 * Parses the output of {@link PYTHON_UNPRINTABLE_PROBE}. Throws a RangeError on anything else.
 *
 * @example
 * parseUnprintableRanges('0-1f,7f-a0'); // [[0, 31], [127, 160]]
 */
export function parseUnprintableRanges(text: string): [number, number][] {
  const ranges = text.split(',').map((pair): [number, number] => {
    const m = /^([0-9a-f]{1,6})-([0-9a-f]{1,6})$/.exec(pair);
    if (!m) throw new RangeError('not an unprintable-ranges list');
    return [Number.parseInt(m[1] as string, 16), Number.parseInt(m[2] as string, 16)];
  });
  unprintableTest(ranges); // validates order and bounds
  return ranges;
}
