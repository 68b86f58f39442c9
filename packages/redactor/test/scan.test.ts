import { describe, expect, it } from 'vitest';
import { createRedactor, type Secret } from '../src/index.js';
import { referenceRedact } from './helpers/reference.js';

const SECRETS: Secret[] = [
  { name: 'A', value: 'fake-window-secret-A1' },
  { name: 'B', value: 'another-fake-B2-value' },
];

/** A few MB of filler with secrets straddling 1 MiB boundaries and at the very end. */
const WINDOW = 1 << 20;
function bigInput(): Buffer {
  const size = 3 * WINDOW + 12345;
  const buf = Buffer.alloc(size, 'x');
  for (let k = 1; k <= 3; k++) {
    const s = SECRETS[k % 2] as Secret;
    buf.write(s.value, k * WINDOW - 7);
  }
  buf.write(Buffer.from((SECRETS[0] as Secret).value).toString('base64'), 100);
  buf.write((SECRETS[1] as Secret).value, size - (SECRETS[1] as Secret).value.length);
  return buf;
}

describe('scan loop', () => {
  it('agrees with the reference on a large input, dense and sparse tables', () => {
    const input = bigInput();
    const expected = referenceRedact(SECRETS, input);
    expect(expected.counts).toEqual({ A: 2, B: 3 });
    for (const dense of [undefined, 16]) {
      const r = createRedactor(SECRETS, {
        ...(dense === undefined ? {} : { denseTableEntries: dense }),
      });
      const whole = r.redactBytes(input);
      expect(whole.text === expected.text).toBe(true);
      expect(whole.counts).toEqual(expected.counts);
      const s = r.createStream();
      let text = '';
      for (let at = 0; at < input.length; at += 777_777)
        text += s.write(input.subarray(at, at + 777_777));
      text += s.end().text;
      expect(text === expected.text).toBe(true);
    }
  });

  it('two streams of one redactor can interleave', () => {
    const r = createRedactor(SECRETS);
    const s1 = r.createStream();
    const s2 = r.createStream();
    const v = (SECRETS[0] as Secret).value;
    let t1 = '';
    let t2 = '';
    for (let i = 0; i < v.length; i++) {
      t1 += s1.write(v[i] as string);
      t2 += s2.write(`${v[i]}_`);
    }
    t1 += s1.end().text;
    t2 += s2.end().text;
    expect(t1).toBe('[REDACTED:A]');
    expect(t2).toBe(`${[...v].map((c) => `${c}_`).join('')}`);
  });
});
