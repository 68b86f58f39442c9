import { describe, expect, it } from 'vitest';
import {
  base64Fragment,
  hexEncode,
  jsonEscape,
  percentEncode,
  pythonReprBytes,
  pythonReprStr,
  variantsOf,
} from '../src/index.js';
import { pythonStrings, pythonWith } from './helpers/python.js';

// Obviously fake values that exercise every escaping rule: quotes of both kinds, backslash,
// controls, DEL, `/`, space, `+`, Latin-1, CJK, a non-BMP emoji, U+2028, NBSP, soft hyphen,
// zero-width space, private use.
const TRICKY = [
  'plain-fake-secret-0123',
  'fake "double" and \'single\' quotes',
  "only-'single'-quotes-fake",
  'back\\slash/slash+plus space',
  'ctl\x01\x02\x1f\x7f\ttab\nnl\rcr\bbs\fff-fake',
  'caf\u00e9-\u5bc6\u7801-\ud83d\ude00-fake',
  'seps\u2028\u2029\u00a0\u00ad\u200b\ue000-fake',
  "!*'()~-_.;:@&=$,?#[]%",
];

const enc = new TextEncoder();
const textOf = (family: string, value: string): string[] =>
  variantsOf(value, { minLength: 1 })
    .filter((v) => v.family === family)
    .map((v) => Buffer.from(v.bytes).toString('utf8'));

describe('JSON family matches JSON.stringify and Python json.dumps', () => {
  it('without \\u escapes equals JSON.stringify and json.dumps(ensure_ascii=False)', () => {
    const py = pythonStrings(
      TRICKY,
      'print(json.dumps([json.dumps(v, ensure_ascii=False)[1:-1] for v in values]))',
    );
    TRICKY.forEach((v, i) => {
      expect(jsonEscape(v, false)).toBe(JSON.stringify(v).slice(1, -1));
      expect(jsonEscape(v, false)).toBe(py[i]);
    });
  });

  it('with \\u escapes equals json.dumps default (ensure_ascii)', () => {
    const py = pythonStrings(TRICKY, 'print(json.dumps([json.dumps(v)[1:-1] for v in values]))');
    TRICKY.forEach((v, i) => {
      expect(jsonEscape(v, true)).toBe(py[i]);
      expect(textOf('json-ascii', v).concat(textOf('json', v), textOf('raw', v))).toContain(py[i]);
    });
  });

  it('escapes lone surrogates like well-formed JSON.stringify', () => {
    expect(jsonEscape('a\ud800b', false)).toBe(JSON.stringify('a\ud800b').slice(1, -1));
  });
});

describe('Python repr family matches python3', () => {
  it('repr(str) inside the quotes, whichever quote Python picks', () => {
    const py = pythonStrings(TRICKY, 'print(json.dumps([repr(v)[1:-1] for v in values]))');
    TRICKY.forEach((v, i) => {
      const produced = [pythonReprStr(v, true), pythonReprStr(v, false)];
      expect(produced).toContain(py[i]);
      // And it is among the variants (or equal to the raw value).
      expect([
        ...textOf('python-repr-str', v),
        ...textOf('raw', v),
        ...textOf('json', v),
      ]).toContain(py[i]);
    });
  });

  it("repr(bytes) inside b'...' for both quote styles", () => {
    const py = pythonStrings(TRICKY, 'print(json.dumps([repr(v.encode())[2:-1] for v in values]))');
    TRICKY.forEach((v, i) => {
      expect([pythonReprBytes(v, true), pythonReprBytes(v, false)]).toContain(py[i]);
    });
  });

  it("picks the quote escaping Python uses: \\' only when both quote kinds occur", () => {
    expect(pythonWith(["it's-a-fake"], 'print(repr(values[0]))').toString()).toBe(
      '"it\'s-a-fake"\n',
    );
    expect(pythonReprStr("it's-a-fake", false)).toBe("it's-a-fake");
    expect(pythonReprStr('both\'"', true)).toBe('both\\\'"');
  });
});

describe('percent family matches urllib.parse and the JavaScript encoders', () => {
  it('quote (safe "/"), quote(safe=""), quote_plus, upper and lower hex', () => {
    const py = pythonStrings(
      TRICKY,
      'from urllib.parse import quote, quote_plus\n' +
        'out = []\n' +
        'for v in values: out += [quote(v), quote(v, safe=""), quote_plus(v)]\n' +
        'print(json.dumps(out))',
    );
    TRICKY.forEach((v, i) => {
      const all = textOf('percent', v).concat(textOf('raw', v));
      const [q, qEmpty, qPlus] = py.slice(3 * i, 3 * i + 3) as [string, string, string];
      expect(percentEncode(v, { safe: '_.-~/', spaceAsPlus: false, upperHex: true })).toBe(q);
      expect(percentEncode(v, { safe: '_.-~', spaceAsPlus: false, upperHex: true })).toBe(qEmpty);
      expect(percentEncode(v, { safe: '_.-~', spaceAsPlus: true, upperHex: true })).toBe(qPlus);
      for (const form of [q, qEmpty, qPlus]) {
        expect(all).toContain(form);
        // Lowercase hex (other encoders) is covered too.
        expect(all).toContain(form.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
      }
    });
  });

  it('encodeURIComponent and URLSearchParams forms', () => {
    for (const v of TRICKY) {
      if (v.includes('\ud800')) continue;
      const all = textOf('percent', v).concat(textOf('raw', v));
      expect(all).toContain(encodeURIComponent(v));
      expect(all).toContain(new URLSearchParams({ k: v }).toString().slice(2));
    }
  });
});

describe('base64 family matches base64.b64encode / urlsafe_b64encode with unknown prefixes', () => {
  it('every prefix length 0..5: the fragment for offset (len % 3) occurs in Python output', () => {
    const values = TRICKY.concat(['a', 'ab', 'abc', 'abcd', 'fake-secret-value']);
    const py = pythonStrings(
      values,
      'import base64\n' +
        'out = []\n' +
        'for v in values:\n' +
        '  for k in range(6):\n' +
        '    p = bytes((0x5a + 7 * j) % 256 for j in range(k)) + v.encode()\n' +
        '    out += [base64.b64encode(p).decode(), base64.urlsafe_b64encode(p).decode()]\n' +
        'print(json.dumps(out))',
    );
    values.forEach((v, i) => {
      const bytes = enc.encode(v);
      for (let k = 0; k < 6; k++) {
        const offset = (k % 3) as 0 | 1 | 2;
        const std = py[12 * i + 2 * k] as string;
        const url = py[12 * i + 2 * k + 1] as string;
        const fragStd = base64Fragment(bytes, offset, false);
        const fragUrl = base64Fragment(bytes, offset, true);
        expect(std.includes(fragStd)).toBe(true);
        expect(url.includes(fragUrl)).toBe(true);
        // Maximal: one more character on either side would depend on bytes outside the value.
        const at = Math.ceil((8 * k) / 6);
        expect(std.slice(at, at + fragStd.length)).toBe(fragStd);
        expect(at + fragStd.length).toBe(Math.floor((8 * (k + bytes.length)) / 6));
      }
    });
  });

  it('whole value at offset 0 without padding', () => {
    const v = 'fake-secret-value';
    const full = Buffer.from(v).toString('base64');
    expect(base64Fragment(enc.encode(v), 0, false)).toBe(full.replace(/=+$/, '').slice(0, -1));
  });
});

describe('hex family matches bytes.hex()', () => {
  it('lower and upper', () => {
    const py = pythonStrings(
      TRICKY,
      'print(json.dumps([x for v in values for x in (v.encode().hex(), v.encode().hex().upper())]))',
    );
    TRICKY.forEach((v, i) => {
      expect(hexEncode(v, false)).toBe(py[2 * i]);
      expect(hexEncode(v, true)).toBe(py[2 * i + 1]);
      expect(textOf('hex', v)).toEqual([py[2 * i], py[2 * i + 1]]);
    });
  });
});

describe('variantsOf', () => {
  it('returns nothing for values shorter than the minimum (bytes), empty included', () => {
    expect(variantsOf('')).toEqual([]);
    expect(variantsOf('1234567')).toEqual([]);
    expect(variantsOf('12345678').length).toBeGreaterThan(0);
    // Non-ASCII counts in UTF-8 bytes: 3 CJK characters are 9 bytes.
    expect(variantsOf('\u5bc6\u7801\u5bc6').length).toBeGreaterThan(0);
    expect(variantsOf('abcdefghij', { minLength: 11 })).toEqual([]);
  });

  it('drops variants shorter than the minimum and keeps each distinct form once', () => {
    const vs = variantsOf('fake-12345', { minLength: 10 });
    for (const v of vs) expect(v.bytes.length).toBeGreaterThanOrEqual(10);
    const keys = vs.map((v) => Buffer.from(v.bytes).toString('latin1'));
    expect(new Set(keys).size).toBe(keys.length);
    // base64 at offset 2 of 10 bytes keeps 10 characters; hex is 20.
    expect(vs.filter((v) => v.family === 'hex').map((v) => v.bytes.length)).toEqual([20, 20]);
  });

  it('splits multi-line values on \\r\\n, \\n and \\r and drops short lines', () => {
    const value = 'first-line-fake\r\nsecond-line-fake\nshort\rthird-line-fake';
    const lines = variantsOf(value)
      .filter((v) => v.family === 'line')
      .map((v) => Buffer.from(v.bytes).toString());
    expect(lines).toEqual(['first-line-fake', 'second-line-fake', 'third-line-fake']);
    expect(variantsOf(value).some((v) => Buffer.from(v.bytes).toString() === 'short')).toBe(false);
  });

  it('also has the lines Python str.splitlines() yields', () => {
    const value = 'page-one-fake\fpage-two-fake\u2028page-three-fake\nlast-line-fake';
    const py = pythonStrings([value], 'print(json.dumps(values[0].splitlines()))');
    const lines = variantsOf(value)
      .filter((v) => v.family === 'line')
      .map((v) => Buffer.from(v.bytes).toString());
    for (const line of py) expect(lines).toContain(line);
    expect(lines).toContain('page-one-fake\fpage-two-fake\u2028page-three-fake');
  });

  it('covers every family for a value that needs each escape', () => {
    const families = new Set(
      variantsOf('fake "q" \\ \u00e9 / \n x ~~~???~~~').map((v) => v.family),
    );
    expect([...families].sort()).toEqual(
      [
        'raw',
        'line',
        'json',
        'json-ascii',
        'python-repr-str',
        'python-repr-bytes',
        'percent',
        'base64',
        'base64url',
        'hex',
      ].sort(),
    );
  });
});
