import { describe, expect, it } from 'vitest';
import { createRedactor, RedactionError, RedactorConfigError, type Secret } from '../src/index.js';
import { referenceRedact, survivingVariants } from './helpers/reference.js';

const A: Secret = { name: 'ALPHA', value: 'fake-alpha-0001' };

describe('createRedactor', () => {
  it('masks a value and counts it', () => {
    const r = createRedactor([A]);
    const out = r.redactString('x fake-alpha-0001 y fake-alpha-0001');
    expect(out.text).toBe('x [REDACTED:ALPHA] y [REDACTED:ALPHA]');
    expect(out.counts).toEqual({ ALPHA: 2 });
  });

  it('returns the input untouched (same string) when nothing matches', () => {
    const r = createRedactor([A]);
    const text = 'nothing here \ud800 lone surrogate kept';
    const out = r.redactString(text);
    expect(out.text).toBe(text);
    expect(out.counts).toEqual({});
  });

  it('hides both of two overlapping secrets with one marker named after the earlier one', () => {
    const r = createRedactor([
      { name: 'LEFT', value: 'fake-over-AAAA' },
      { name: 'RIGHT', value: 'AAAA-lap-fake' },
    ]);
    const out = r.redactString('<fake-over-AAAA-lap-fake>');
    expect(out.text).toBe('<[REDACTED:LEFT]>');
    expect(out.counts).toEqual({ LEFT: 1, RIGHT: 1 });
  });

  it('masks the longer secret whole when one is a prefix of another', () => {
    const r = createRedactor([
      { name: 'SHORT', value: 'fake-prefix' },
      { name: 'LONG', value: 'fake-prefix-and-more' },
    ]);
    expect(r.redactString('[fake-prefix-and-more]').text).toBe('[[REDACTED:LONG]]');
    expect(r.redactString('[fake-prefix-and-les]').text).toBe('[[REDACTED:SHORT]-and-les]');
    // Same start, same length: the name that sorts first; different starts: the earliest.
    const same = createRedactor([
      { name: 'ZED', value: 'same-fake-value' },
      { name: 'ABE', value: 'same-fake-value' },
    ]);
    expect(same.redactString('same-fake-value').text).toBe('[REDACTED:ABE]');
    expect(same.redactString('same-fake-value').counts).toEqual({ ABE: 1, ZED: 1 });
  });

  it('merges adjacent secrets into one marker', () => {
    const r = createRedactor([A, { name: 'BETA', value: 'fake-beta-0002' }]);
    expect(r.redactString('fake-beta-0002fake-alpha-0001').text).toBe('[REDACTED:BETA]');
    expect(r.redactString('fake-beta-0002 fake-alpha-0001').text).toBe(
      '[REDACTED:BETA] [REDACTED:ALPHA]',
    );
  });

  it('reports empty and short values as unredactable and never matches them', () => {
    const r = createRedactor([
      { name: 'EMPTY', value: '' },
      { name: 'SHORT', value: 'pw12345' },
      A,
      { name: 'CUSTOM', value: 'abcd' },
    ]);
    expect(r.unredactable).toEqual([
      { index: 0, name: 'EMPTY', reason: 'empty' },
      { index: 1, name: 'SHORT', reason: 'too_short' },
      { index: 3, name: 'CUSTOM', reason: 'too_short' },
    ]);
    expect(r.redactString('pw12345 abcd').text).toBe('pw12345 abcd');
    const r4 = createRedactor([{ name: 'CUSTOM', value: 'abcd' }], { minLength: 4 });
    expect(r4.unredactable).toEqual([]);
    expect(r4.redactString('xabcdx').text).toBe('x[REDACTED:CUSTOM]x');
  });

  it('masks multi-line values whole and line by line, LF or CRLF', () => {
    const pem = [
      '-----BEGIN FAKE KEY-----',
      'MIIBfakefakefakefakefakefakefake0001',
      'MIIBfakefakefakefakefakefakefake0002',
      '-----END FAKE KEY-----',
    ];
    const secret = { name: 'PEM', value: pem.join('\n') };
    const r = createRedactor([secret]);
    expect(r.redactString(`a${pem.join('\n')}b`).text).toBe('a[REDACTED:PEM]b');
    const crlf = r.redactString(pem.join('\r\n'));
    expect(crlf.text).toBe(pem.map(() => '[REDACTED:PEM]').join('\r\n'));
    expect(survivingVariants([secret], crlf.text)).toBe(0);
    // A value stored with CRLF is found line by line in LF output too.
    const r2 = createRedactor([{ name: 'PEM', value: pem.join('\r\n') }]);
    expect(r2.redactString(pem.join('\n')).text).toBe(pem.map(() => '[REDACTED:PEM]').join('\n'));
  });

  it('masks non-ASCII values and their escaped forms', () => {
    const secret = { name: 'UNI', value: 'p\u00e4ss-\u5bc6\u7801-\ud83d\ude00-fake' };
    const r = createRedactor([secret]);
    const printed = [
      secret.value,
      JSON.stringify(secret.value),
      // Python's json.dumps default: every UTF-16 unit outside printable ASCII as \uXXXX.
      JSON.stringify(secret.value).replace(
        /[^\x20-\x7e]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      ),
      Buffer.from(secret.value).toString('base64'),
      Buffer.from(secret.value).toString('hex'),
      encodeURIComponent(secret.value),
    ].join('\n');
    const out = r.redactString(printed);
    expect(survivingVariants([secret], out.text)).toBe(0);
    expect(out.text.split('[REDACTED:UNI]').length - 1).toBe(6);
  });

  it('redacts bytes with invalid UTF-8 around the value', () => {
    const r = createRedactor([A]);
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xc3]),
      Buffer.from(A.value),
      Buffer.from([0xe2, 0x82]),
    ]);
    expect(r.redactBytes(bytes).text).toBe('\ufffd\ufffd[REDACTED:ALPHA]\ufffd');
    expect(r.redactBytes(bytes).text).toBe(referenceRedact([A], bytes).text);
  });

  it('sanitizes marker names and never lets a marker reveal a secret', () => {
    const r = createRedactor([
      { name: 'bad]\nname', value: 'fake-value-123' },
      { name: 'name-fake-leak', value: 'name-fake-leak' },
    ]);
    expect(r.redactString('fake-value-123').text).toBe('[REDACTED:bad__name]');
    expect(r.redactString('name-fake-leak').text).toBe('[REDACTED]');
    expect(r.redactString('name-fake-leak').counts).toEqual({ 'name-fake-leak': 1 });
  });

  it('exposes maxPatternLength and patternCount', () => {
    const r = createRedactor([A]);
    // Longest variant: hex of 15 bytes.
    expect(r.maxPatternLength).toBe(30);
    expect(r.patternCount).toBeGreaterThan(5);
    const none = createRedactor([]);
    expect(none.maxPatternLength).toBe(0);
    expect(none.redactString('anything').text).toBe('anything');
  });

  it('rejects invalid configuration with specific errors', () => {
    expect(() => createRedactor([{ name: '', value: 'fake-value-1' }])).toThrow(
      RedactorConfigError,
    );
    expect(() => createRedactor([{ name: 'X', value: 12345678 as unknown as string }])).toThrow(
      /secret #0 value must be a string/,
    );
    expect(() => createRedactor([A], { minLength: 0 })).toThrow(/minLength/);
    expect(() => createRedactor(null as unknown as Secret[])).toThrow(RedactorConfigError);
  });

  it('fails closed with a RedactionError, never returning input, on bad input types', () => {
    const r = createRedactor([A]);
    expect(() => r.redactBytes('x' as unknown as Uint8Array)).not.toThrow();
    expect(() => r.redactBytes(42 as unknown as Uint8Array)).toThrow(RedactionError);
    expect(() => r.redactString({} as unknown as string)).toThrow(RedactionError);
    try {
      r.redactBytes([1, 2] as unknown as Uint8Array);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RedactionError);
      expect((err as RedactionError).code).toBe('REDACTION_FAILED');
    }
  });

  it('same value under several names: every name counted, first name shown', () => {
    const r = createRedactor([
      { name: 'B_TOKEN', value: 'shared-fake-value' },
      { name: 'A_TOKEN', value: 'shared-fake-value' },
      { name: 'A_TOKEN', value: 'other-fake-value' },
    ]);
    const out = r.redactString('shared-fake-value other-fake-value');
    expect(out.text).toBe('[REDACTED:A_TOKEN] [REDACTED:A_TOKEN]');
    expect(out.counts).toEqual({ A_TOKEN: 2, B_TOKEN: 1 });
  });
});
