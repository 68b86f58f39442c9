/**
 * Property: for random secrets and random output built from fillers, secret variants, partial
 * variants and invalid UTF-8, the stream (any chunking, one byte at a time included), the
 * whole-buffer entry point and a naive indexOf reference agree exactly, and no variant of any
 * secret survives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createRedactor,
  PYTHON_UNPRINTABLE_PROBE,
  parseUnprintableRanges,
  pythonReprCuts,
  type Secret,
  unprintableTest,
  variantsOf,
} from '../src/index.js';
import { python, pythonStrings } from './helpers/python.js';
import { referenceRedact, straddles, survivingVariants } from './helpers/reference.js';

// Small alphabet: overlaps, shared prefixes and self-overlapping values are common. No brackets,
// so a variant can never be spelled by a marker plus its neighbours.
const CHARS = ['a', 'b', 'c', '0', '1', '-', '/', '+', ' ', '"', "'", '\\', '\n', 'é', '密', '😀'];
const valueArb = fc
  .array(fc.constantFrom(...CHARS), { minLength: 3, maxLength: 14 })
  .map((cs) => cs.join(''));
const secretsArb = fc.array(
  fc.record({ name: fc.constantFrom('A', 'B', 'C_TOKEN', 'D'), value: valueArb }),
  { minLength: 1, maxLength: 5 },
);

function inputArb(secrets: readonly Secret[]): fc.Arbitrary<Uint8Array> {
  const variants = secrets.flatMap((s) => variantsOf(s.value).map((v) => v.bytes));
  const filler = fc.oneof(
    fc.array(fc.constantFrom(...CHARS), { maxLength: 12 }).map((cs) => Buffer.from(cs.join(''))),
    fc.uint8Array({ maxLength: 6 }), // arbitrary bytes, invalid UTF-8 included
  );
  const piece =
    variants.length === 0
      ? filler
      : fc.oneof(
          filler,
          fc.constantFrom(...variants),
          fc
            .tuple(fc.constantFrom(...variants), fc.nat())
            .map(([v, n]) => v.subarray(0, n % v.length)),
        );
  return fc.array(piece, { maxLength: 14 }).map((ps) => Buffer.concat(ps));
}

function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

function streamed(
  secrets: readonly Secret[],
  chunks: readonly Uint8Array[],
  dense: number | undefined,
) {
  const r = createRedactor(secrets, {
    ...(dense === undefined ? {} : { denseTableEntries: dense }),
  });
  const s = r.createStream();
  let text = '';
  for (const c of chunks) text += s.write(c);
  const end = s.end();
  return { text: text + end.text, counts: end.counts };
}

describe('streaming = whole buffer = naive reference', () => {
  it('agree for random secrets, outputs and chunkings; no variant survives', () => {
    const scenario = secretsArb.chain((secrets) =>
      fc.record({
        secrets: fc.constant(secrets),
        input: inputArb(secrets),
        cuts: fc.array(fc.nat(), { maxLength: 8 }),
        dense: fc.constantFrom(undefined, 1, 40),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ secrets, input, cuts, dense }) => {
        const whole = createRedactor(secrets).redactBytes(input);
        const ref = referenceRedact(secrets, input);
        expect(whole.text).toBe(ref.text);
        expect(whole.counts).toEqual(ref.counts);
        const random = streamed(secrets, chunked(input, cuts), dense);
        expect(random.text).toBe(whole.text);
        expect(random.counts).toEqual(whole.counts);
        const bytewise = streamed(
          secrets,
          [...input].map((b) => Uint8Array.of(b)),
          dense,
        );
        expect(bytewise.text).toBe(whole.text);
        expect(survivingVariants(secrets, whole.text)).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it('the capped stream is a prefix of the uncapped output and never exceeds the cap', () => {
    const scenario = secretsArb.chain((secrets) =>
      fc.record({
        secrets: fc.constant(secrets),
        input: inputArb(secrets),
        cuts: fc.array(fc.nat(), { maxLength: 6 }),
        cap: fc.nat({ max: 120 }),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ secrets, input, cuts, cap }) => {
        const r = createRedactor(secrets);
        const full = r.redactBytes(input).text;
        const s = r.createStream({ maxOutputBytes: cap });
        let text = '';
        for (const c of chunked(input, cuts)) text += s.write(c);
        const end = s.end();
        text += end.text;
        const fullBytes = Buffer.from(full);
        const gotBytes = Buffer.from(text);
        expect(gotBytes.length).toBeLessThanOrEqual(cap);
        expect(end.truncated).toBe(fullBytes.length > cap);
        if (!end.truncated) expect(text).toBe(full);
        // A strict prefix by characters (up to replacement characters at the cut).
        expect(full.startsWith(text.replace(/\ufffd$/u, ''))).toBe(true);
        expect(survivingVariants(secrets, text)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('a cut input releases its first `cap` bytes redacted, whatever follows them (no oracle)', () => {
    // The tail past the cap may begin a secret or not: unless a whole secret straddles the cap
    // (and is then masked whole), the answer is exactly the redaction of the first `cap` bytes,
    // with the same count omitted. Nothing about a partial match can be observed.
    const scenario = secretsArb.chain((secrets) =>
      fc.record({
        secrets: fc.constant(secrets),
        head: inputArb(secrets),
        tail: inputArb(secrets),
        cuts: fc.array(fc.nat(), { maxLength: 4 }),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ secrets, head, tail, cuts }) => {
        const r = createRedactor(secrets);
        const cap = head.length;
        // NUL is in no variant: padding that completes no match, as much as the margin needs.
        const input = Buffer.concat([head, tail, Buffer.alloc(r.maxPatternLength)]);
        const s = r.createStream({ maxOutputBytes: cap });
        let text = '';
        for (const c of chunked(input, cuts)) text += s.write(c);
        const end = s.end({ inputTruncated: true });
        text += end.text;
        expect(end.truncated).toBe(true);
        expect(Buffer.byteLength(text)).toBeLessThanOrEqual(cap);
        expect(survivingVariants(secrets, text)).toBe(0);
        if (!straddles(secrets, input, cap)) {
          const alone = r.redactOutput(head, { maxOutputBytes: cap });
          expect(text).toBe(alone.text);
          expect(end.omittedBytes).toBe(alone.omittedBytes + (input.length - cap));
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('property: the cut reprs are exactly what CPython prints', () => {
  it('for random long values (quotes, escapes, non-ASCII, astral), int() messages match', () => {
    const table = parseUnprintableRanges(python(PYTHON_UNPRINTABLE_PROBE).toString('utf8'));
    const unprintable = unprintableTest(table);
    const alphabet = [...CHARS, '\t', '\x01', '\x7f', '\u00a0', '\u2028', '\u{1fa77}', 'Z'];
    const values = fc.sample(
      fc
        .array(fc.constantFrom(...alphabet), { minLength: 150, maxLength: 260 })
        .map((cs) => cs.join('')),
      { numRuns: 150, seed: 20261201 },
    );
    const printed = pythonStrings(
      values,
      [
        'out = []',
        'for v in values:',
        '    for arg in (v, v.encode()):',
        '        try:',
        '            int(arg)',
        '            out.append(None)',
        '        except ValueError as e:',
        '            out.append(str(e).split(": ", 1)[1])',
        'print(json.dumps(out))',
      ].join('\n'),
    );
    values.forEach((v, i) => {
      const cuts = pythonReprCuts(v, unprintable);
      // Each message Python printed is either whole (covered by the repr variants) or one of
      // the cut forms; every cut form is one Python printed.
      for (const msg of [printed[2 * i], printed[2 * i + 1]]) {
        if (msg === null || msg === undefined) continue;
        const isCut = [...msg].length === 200;
        if (isCut) expect(cuts, JSON.stringify(v)).toContain(msg);
      }
      for (const c of cuts) expect(printed.slice(2 * i, 2 * i + 2)).toContain(c);
    });
  });
});
