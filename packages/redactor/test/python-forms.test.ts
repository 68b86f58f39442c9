/**
 * The variants that depend on Python's behaviour, checked against the interpreter that runs
 * scripts: `repr` under its own Unicode tables (over every code point), the cut reprs CPython
 * prints for long values, and the numbers a numeric value becomes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createRedactor,
  numericForms,
  PYTHON_UNPRINTABLE_PROBE,
  parseUnprintableRanges,
  pythonFloatRepr,
  pythonReprCuts,
  pythonReprStr,
  type Secret,
  unprintableTest,
  variantLengthBound,
  variantsOf,
} from '../src/index.js';
import { python, pythonRun, pythonStrings } from './helpers/python.js';
import { survivingVariants } from './helpers/reference.js';

const table = parseUnprintableRanges(python(PYTHON_UNPRINTABLE_PROBE).toString('utf8'));
const unprintable = unprintableTest(table);

/** U+1FA77 (pink heart) is in Unicode 15: Node's tables know it, Python 3.11's (14.0) do not. */
const NEWER_THAN_PYTHON = '\u{1fa77}';

describe("repr under the interpreter's Unicode tables", () => {
  it('equals Python repr over every code point (surrogates aside), both quote styles', () => {
    const blocks: string[] = [];
    const BLOCK = 4096;
    for (let start = 0; start <= 0x10ffff; start += BLOCK) {
      let s = '';
      for (let c = start; c < Math.min(start + BLOCK, 0x110000); c++) {
        if (c < 0xd800 || c > 0xdfff) s += String.fromCodePoint(c);
      }
      blocks.push(s);
    }
    const py = pythonStrings(
      blocks,
      // The blocks hold both quotes, so Python picks ' and escapes it; \' aside, the inside of
      // the repr is the same for the other quote style.
      'print(json.dumps([repr(v)[1:-1] for v in values]))',
    );
    let mismatched = 0;
    blocks.forEach((b, i) => {
      if (pythonReprStr(b, true, unprintable) !== py[i]) mismatched++;
    });
    expect(mismatched).toBe(0);
  });

  it('a character newer than Python is escaped as Python escapes it, and masked in a dict repr', () => {
    const value = `fake-heart-${NEWER_THAN_PYTHON}-token-0123`;
    const [repr] = pythonStrings([value], 'print(json.dumps([repr(v) for v in values]))');
    expect(repr).toContain('\\U0001fa77');
    expect(pythonReprStr(value, true, unprintable)).toBe((repr as string).slice(1, -1));
    const secrets: Secret[] = [{ name: 'HEART', value }];
    const run = pythonRun([value], 'print({"k": values[0]})\nraise KeyError(values[0])');
    const out = Buffer.concat([run.stdout, run.stderr]);
    const withTable = createRedactor(secrets, { pythonUnprintable: table }).redactBytes(out).text;
    expect(withTable).not.toContain('-token-0123');
    expect(withTable.match(/\[REDACTED:HEART\]/g)?.length).toBe(2);
  });

  it('parses only the probe format', () => {
    expect(parseUnprintableRanges('0-1f,7f-a0')).toEqual([
      [0, 31],
      [127, 160],
    ]);
    for (const bad of ['', '0-1f,', '1f-0', '0-1f,10-20', 'x-1', '0-110000']) {
      expect(() => parseUnprintableRanges(bad), bad).toThrow(RangeError);
    }
  });
});

// Long values of every kind the cut must handle: ASCII tokens, quotes of each kind, escapes,
// non-ASCII, a character newer than Python, and values whose repr is longer than the value.
const LONG = [
  `tok_${'A1b2C3d4'.repeat(40)}`,
  `it's-${'x'.repeat(250)}`,
  `both'"-${'y'.repeat(250)}`,
  `${'\n\t\x01'.repeat(70)}tail`,
  `é密😀${NEWER_THAN_PYTHON}`.repeat(60),
  `${'z'.repeat(198)}\u00a0\u00a0${'w'.repeat(30)}`,
];

describe('cut reprs CPython prints for long values', () => {
  it('int(value) and int(value.encode()) print exactly the forms we mask', () => {
    const py = pythonStrings(
      LONG,
      [
        'out = []',
        'for v in values:',
        '    for arg in (v, v.encode()):',
        '        try:',
        '            int(arg)',
        '        except ValueError as e:',
        '            out.append(str(e).split(": ", 1)[1])',
        'print(json.dumps(out))',
      ].join('\n'),
    );
    LONG.forEach((v, i) => {
      const cuts = pythonReprCuts(v, unprintable);
      expect(cuts).toEqual([py[2 * i], py[2 * i + 1]]);
    });
  });

  it('a long token in an int() traceback is masked, not shown up to its 200th character', () => {
    const secrets = LONG.map((value, i) => ({ name: `LONG_${i}`, value }));
    const r = createRedactor(secrets, { pythonUnprintable: table });
    for (const [i, value] of LONG.entries()) {
      const run = pythonRun([value], 'int(values[0])');
      const runBytes = pythonRun([value], 'int(values[0].encode())');
      for (const out of [run.stderr, runBytes.stderr]) {
        const text = r.redactBytes(out).text;
        expect(text).toContain(`[REDACTED:LONG_${i}]`);
        expect(text).not.toContain(value.slice(0, 40));
      }
    }
  });
});

describe('numeric forms', () => {
  it('repr(float) matches Python for random doubles and edge cases', () => {
    const xs = fc.sample(fc.double({ noNaN: true, noDefaultInfinity: true }), 3000);
    xs.push(
      0,
      -0,
      1e16,
      1e15,
      9999999999999998,
      1e-4,
      1e-5,
      0.0001234,
      5e-324,
      1.7976931348623157e308,
      123.0,
    );
    // Exact bit patterns travel as hex (repr through JSON would be a circular check).
    const hex = xs.map((x) => {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(x);
      return b.toString('hex');
    });
    const py = pythonStrings(
      hex,
      'import struct\nprint(json.dumps([repr(struct.unpack(">d", bytes.fromhex(h))[0]) for h in values]))',
    );
    const wrong = xs.filter((x, i) => pythonFloatRepr(x) !== py[i]);
    expect(wrong).toEqual([]);
  });

  it('str(int(v)) and repr(float(v)) as Python computes them', () => {
    const values = [
      '12345678901234567890',
      '0001234567890',
      ' +98_765_432 ',
      '-00000000042424242',
      '3.14159265358979323846',
      '1e22',
      '-0.000012345678',
      '.5e-10',
      '9007199254740993',
    ];
    const py = pythonStrings(
      values,
      [
        'out = []',
        'for v in values:',
        '    try: out.append(str(int(v)))',
        '    except ValueError: pass',
        '    out.append(repr(float(v)))',
        'print(json.dumps(out))',
      ].join('\n'),
    );
    expect(values.flatMap((v) => numericForms(v))).toEqual(py);
    expect(numericForms('not-a-number-1234')).toEqual([]);
    expect(numericForms('1_2__3')).toEqual([]); // Python refuses a double underscore too
  });

  it('a numeric secret passed to set_result as a number is masked in the JSON text', () => {
    const r = createRedactor([{ name: 'ACCOUNT', value: '0012345678901234567890' }]);
    const py = python(
      'import json\nv = "0012345678901234567890"\nprint(json.dumps({"i": int(v), "f": float(v), "s": str(int(v))}))',
    ).toString('utf8');
    const out = r.redactJsonText(py);
    expect(out).toMatchObject({ ok: true });
    if (out.ok) {
      expect(JSON.parse(out.text)).toEqual({
        i: '[REDACTED:ACCOUNT]',
        f: '[REDACTED:ACCOUNT]',
        s: '[REDACTED:ACCOUNT]',
      });
    }
  });
});

describe('variantLengthBound', () => {
  it('bounds every variant of any value, whatever its characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), (value) => {
        const bound = variantLengthBound(value.length);
        for (const v of variantsOf(value, { minLength: 1, unprintable })) {
          expect(v.bytes.length).toBeLessThanOrEqual(bound);
        }
      }),
      { numRuns: 500 },
    );
    // The worst case is reached: Python's bytes repr of a 3-byte character.
    const worst = variantsOf('\u5bc6'.repeat(4), { minLength: 1 });
    expect(Math.max(...worst.map((v) => v.bytes.length))).toBe(variantLengthBound(4));
  });

  it('nothing of the long values survives a redactor built with the table', () => {
    const secrets = LONG.map((value, i) => ({ name: `L${i}`, value }));
    const r = createRedactor(secrets, { pythonUnprintable: table });
    const run = pythonRun(LONG, 'for v in values:\n    print(repr(v), repr(v.encode()), v)');
    expect(survivingVariants(secrets, r.redactBytes(run.stdout).text)).toBe(0);
  });
});
