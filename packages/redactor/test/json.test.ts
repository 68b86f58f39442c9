import { describe, expect, it } from 'vitest';
import { createRedactor, type JsonValue, RedactionError } from '../src/index.js';

const r = createRedactor([
  { name: 'KEY', value: 'fake-json-key-1' },
  { name: 'PIN', value: '98765432' },
]);

describe('redactJson', () => {
  it('redacts keys and values recursively and counts per name', () => {
    const input: JsonValue = {
      'fake-json-key-1': 'value with fake-json-key-1 inside',
      list: [1, true, null, ['deep fake-json-key-1'], { n: 'ZmFrZS1qc29uLWtleS0x' }],
    };
    const out = r.redactJson(input);
    expect(out.value).toEqual({
      '[REDACTED:KEY]': 'value with [REDACTED:KEY] inside',
      list: [1, true, null, ['deep [REDACTED:KEY]'], { n: '[REDACTED:KEY]' }],
    });
    expect(out.counts).toEqual({ KEY: 4 });
    // The input is not modified.
    expect(Object.keys(input)[0]).toBe('fake-json-key-1');
  });

  it('turns a number holding a secret into the redacted string; others stay numbers', () => {
    const out = r.redactJson({ pin: 98765432, n: 42, big: 1987654321, f: 0.5 });
    expect(out.value).toEqual({ pin: '[REDACTED:PIN]', n: 42, big: '1[REDACTED:PIN]1', f: 0.5 });
    expect(out.counts).toEqual({ PIN: 2 });
  });

  it('numbers the later keys that redact to the same text', () => {
    const two = createRedactor([
      { name: 'K', value: 'fake-key-one-1' },
      { name: 'K', value: 'fake-key-two-2' },
    ]);
    const out = two.redactJson({ 'fake-key-one-1': 1, 'fake-key-two-2': 2 });
    expect(out.value).toEqual({ '[REDACTED:K]': 1, '[REDACTED:K]#2': 2 });
  });

  it('keeps "__proto__" as a plain key and never touches prototypes', () => {
    const input = JSON.parse('{"__proto__": {"x": "fake-json-key-1"}}') as JsonValue;
    const out = r.redactJson(input).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":"[REDACTED:KEY]"}}');
  });

  it('fails closed on deep nesting instead of overflowing the stack', () => {
    let deep: JsonValue = 'fake-json-key-1';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => r.redactJson(deep)).toThrow(RedactionError);
    let ok: JsonValue = 'fake-json-key-1';
    for (let i = 0; i < 50; i++) ok = { a: ok };
    expect(JSON.stringify(r.redactJson(ok).value)).toContain('[REDACTED:KEY]');
    expect(() => r.redactJson(ok, { maxDepth: 10 })).toThrow(/maxDepth/);
  });

  it('fails closed on an internal error, without the error text (which may hold data)', () => {
    const tricky = {};
    Object.defineProperty(tricky, 'k', {
      enumerable: true,
      get() {
        throw new Error('boom fake-json-key-1');
      },
    });
    try {
      r.redactJson(tricky as JsonValue);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RedactionError);
      expect(String((err as Error).message)).not.toContain('fake-json-key-1');
      expect(String((err as Error).message)).toMatch(
        /redactJson failed \(Error\); output withheld/,
      );
    }
  });

  it('fails closed on values that are not plain JSON', () => {
    const bad: unknown[] = [undefined, () => 1, new Date(0), new Map(), 10n, Symbol('s')];
    for (const b of bad)
      expect(() => r.redactJson([b] as unknown as JsonValue)).toThrow(RedactionError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => r.redactJson(cyclic as JsonValue)).toThrow(RedactionError);
  });
});
