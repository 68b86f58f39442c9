import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor, RedactionError } from '../src/index.js';

const r = createRedactor([
  { name: 'KEY', value: 'fake-json-key-1' },
  { name: 'PIN', value: '98765432' },
]);

function ok(text: string, maxDepth?: number) {
  const out = r.redactJsonText(text, maxDepth === undefined ? {} : { maxDepth });
  if (!out.ok) throw new Error(`refused: ${out.reason}`);
  return out;
}

describe('redactJsonText', () => {
  it('redacts keys and values recursively and counts per name', () => {
    const input = JSON.stringify({
      'fake-json-key-1': 'value with fake-json-key-1 inside',
      list: [1, true, null, ['deep fake-json-key-1'], { n: 'ZmFrZS1qc29uLWtleS0x' }],
    });
    const out = ok(input);
    expect(JSON.parse(out.text)).toEqual({
      '[REDACTED:KEY]': 'value with [REDACTED:KEY] inside',
      list: [1, true, null, ['deep [REDACTED:KEY]'], { n: '[REDACTED:KEY]' }],
    });
    expect(out.counts).toEqual({ KEY: 4 });
  });

  it('keeps every number literal exactly; a number holding a secret becomes the redacted string', () => {
    const out = ok('{"big":12345678901234567890,"neg0":-0.0,"exp":1e400,"f":0.5,"pin":98765432}');
    expect(out.text).toBe(
      '{"big":12345678901234567890,"neg0":-0.0,"exp":1e400,"f":0.5,"pin":"[REDACTED:PIN]"}',
    );
    expect(ok('[1987654321, 2]').text).toBe('["1[REDACTED:PIN]1",2]');
    expect(ok('18446744073709551616').text).toBe('18446744073709551616');
    expect(out.counts).toEqual({ PIN: 1 });
  });

  it('reads what Python prints: ASCII escapes, spaces, surrogate pairs, lone surrogates', () => {
    const out = ok('{"a": "\\u00e9 fake-json-\\u006bey-1", "b": [ "\\ud83d\\ude00" , "\\udc00" ]}');
    expect(JSON.parse(out.text)).toEqual({ a: 'é [REDACTED:KEY]', b: ['😀', '\udc00'] });
  });

  it('numbers the later keys that redact to the same text', () => {
    const two = createRedactor([
      { name: 'K', value: 'fake-key-one-1' },
      { name: 'K', value: 'fake-key-two-2' },
    ]);
    const out = two.redactJsonText('{"fake-key-one-1":1,"fake-key-two-2":2,"[REDACTED:K]#2":3}');
    expect(out).toMatchObject({
      ok: true,
      text: '{"[REDACTED:K]":1,"[REDACTED:K]#2":2,"[REDACTED:K]#2#2":3}',
    });
  });

  it('keeps "__proto__" as a plain key', () => {
    const out = ok('{"__proto__": {"x": "fake-json-key-1"}}');
    expect(out.text).toBe('{"__proto__":{"x":"[REDACTED:KEY]"}}');
  });

  it('refuses deep nesting (iteratively, whatever the depth) with the reason', () => {
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    expect(r.redactJsonText(deep)).toEqual({ ok: false, reason: 'too_deep' });
    const at = (n: number) => `${'['.repeat(n)}"fake-json-key-1"${']'.repeat(n)}`;
    expect(ok(at(256)).text).toContain('[REDACTED:KEY]');
    expect(r.redactJsonText(at(257))).toEqual({ ok: false, reason: 'too_deep' });
    expect(r.redactJsonText(at(11), { maxDepth: 10 })).toEqual({ ok: false, reason: 'too_deep' });
  });

  it('refuses text that is not JSON', () => {
    for (const bad of [
      '',
      '{',
      '[1,]',
      '{"a" 1}',
      '01',
      'NaN',
      'Infinity',
      '"\u0001"',
      '"\\x41"',
      '1 2',
      '{"a":1}}',
      "'a'",
      '[1',
      '"abc',
      'tru',
    ]) {
      expect(r.redactJsonText(bad), bad).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(() => r.redactJsonText(5 as unknown as string)).toThrow(RedactionError);
  });

  it('round-trips any JSON document as JSON.parse reads it', () => {
    const plain = createRedactor([]);
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, spaced) => {
        const text = JSON.stringify(value, null, spaced ? 1 : undefined);
        const out = plain.redactJsonText(text);
        expect(out.ok).toBe(true);
        if (out.ok) expect(JSON.parse(out.text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
});
