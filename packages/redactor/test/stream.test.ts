import { describe, expect, it } from 'vitest';
import { createRedactor, RedactionError, type Secret } from '../src/index.js';
import { survivingVariants } from './helpers/reference.js';

const TOKEN: Secret = { name: 'TOKEN', value: 'tok_fake_0123456789' };

function feed(
  chunks: readonly (string | Uint8Array)[],
  secrets: readonly Secret[] = [TOKEN],
  cap?: number,
) {
  const s = createRedactor(secrets).createStream(cap === undefined ? {} : { maxOutputBytes: cap });
  let text = '';
  const released: string[] = [];
  for (const c of chunks) {
    const t = s.write(c);
    released.push(t);
    text += t;
  }
  const end = s.end();
  return { text: text + end.text, released, end };
}

describe('createStream', () => {
  it('masks a secret split across chunks at every possible boundary', () => {
    const input = `a ${TOKEN.value} b ${TOKEN.value}`;
    for (let cut = 0; cut <= input.length; cut++) {
      expect(feed([input.slice(0, cut), input.slice(cut)]).text).toBe(
        'a [REDACTED:TOKEN] b [REDACTED:TOKEN]',
      );
    }
  });

  it('holds back only the suffix that could still start a match', () => {
    const s = createRedactor([TOKEN]).createStream();
    expect(s.write('hello tok_fa')).toBe('hello ');
    expect(s.write('ke_01 world ')).toBe('tok_fake_01 world ');
    expect(s.write('t')).toBe(''); // "t" starts "tok_…"
    expect(s.write('x')).toBe('tx');
    expect(s.end().text).toBe('');
  });

  it('releases a finished range only once no later match can extend it', () => {
    const secrets = [
      { name: 'SHORT', value: 'fake-abcdefgh' },
      { name: 'LONG', value: 'xx-fake-abcdefgh-yy-zz' },
    ];
    const s = createRedactor(secrets).createStream();
    // After "fake-abcdefgh" the longer secret is still possible: nothing may be released.
    expect(s.write('xx-fake-abcdefgh')).toBe('');
    expect(s.write('-yy-zz!')).toBe('[REDACTED:LONG]!');
    expect(s.end().counts).toEqual({ LONG: 1, SHORT: 1 });
  });

  it('unions a match that ends later with a pending range', () => {
    const secrets = [
      { name: 'INNER', value: 'fake-mid-0000' },
      { name: 'OUTER', value: 'aaaa-fake-mid-0000-bbbb' },
      { name: 'TAIL', value: '0000-bbbb-cccc' },
    ];
    const input = 'aaaa-fake-mid-0000-bbbb-cccc.';
    for (let size = 1; size <= input.length; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < input.length; i += size) chunks.push(input.slice(i, i + size));
      const out = feed(chunks, secrets);
      expect(out.text).toBe('[REDACTED:OUTER].');
      expect(out.end.counts).toEqual({ INNER: 1, OUTER: 1, TAIL: 1 });
    }
  });

  it('one byte at a time, including multi-byte characters', () => {
    const value = 'cl\u00e9-\u5bc6\u7801-fake';
    const bytes = Buffer.from(`\u00e9 ${value} \u5bc6`);
    const out = feed(
      [...bytes].map((b) => Uint8Array.of(b)),
      [{ name: 'U', value }],
    );
    expect(out.text).toBe('\u00e9 [REDACTED:U] \u5bc6');
  });

  it('redacts before truncating and reports what the cap dropped', () => {
    const input = `0123456789${TOKEN.value}abcdefghij`;
    const out = feed([input], [TOKEN], 30);
    // 10 + 15 (marker) fit; then 5 of "abcdefghij".
    expect(out.text).toBe('0123456789[REDACTED:TOKEN]abcd');
    expect(out.end.truncated).toBe(true);
    expect(out.end.omittedBytes).toBe(6);
    expect(out.end.counts).toEqual({ TOKEN: 1 });
  });

  it('never cuts a marker or a UTF-8 character at the cap', () => {
    const marker = feed([`0123${TOKEN.value}`], [TOKEN], 10);
    expect(marker.text).toBe('0123');
    expect(marker.end.omittedBytes).toBe('[REDACTED:TOKEN]'.length);
    const utf = feed(['ab\u5bc6\u7801'], [TOKEN], 4); // 2 + 3 + 3 bytes
    expect(utf.text).toBe('ab');
    expect(utf.end.truncated).toBe(true);
    expect(utf.end.omittedBytes).toBe(6);
    const exact = feed(['abcd'], [TOKEN], 4);
    expect(exact.text).toBe('abcd');
    expect(exact.end.truncated).toBe(false);
  });

  it('a secret straddling the cap is masked when cap + maxPatternLength raw bytes are captured', () => {
    const r = createRedactor([TOKEN]);
    const cap = 64;
    const raw = Buffer.from(`${'x'.repeat(cap - 5)}${TOKEN.value}${'y'.repeat(200)}`);
    const captured = raw.subarray(0, cap + r.maxPatternLength);
    const s = r.createStream({ maxOutputBytes: cap });
    let text = s.write(captured);
    const end = s.end({ inputTruncated: true });
    text += end.text;
    expect(text).toBe('x'.repeat(cap - 5));
    expect(end.truncated).toBe(true);
    expect(survivingVariants([TOKEN], text)).toBe(0);
    // Had only `cap` raw bytes been captured, a secret straddling the cap could be incomplete:
    // the stream releases nothing rather than guess (fail closed).
    const s2 = r.createStream({ maxOutputBytes: cap });
    s2.write(raw.subarray(0, cap));
    expect(() => s2.end({ inputTruncated: true })).toThrow(RedactionError);
    // Without a cap there is no position to cut at: a caller bug, also refused.
    expect(() => r.createStream().end({ inputTruncated: true })).toThrow(RedactionError);
  });

  it('a cut input releases a function of the byte counts, whatever its tail begins', () => {
    // The oracle this prevents: withholding "the tail that could begin a secret" told a script,
    // through what was kept and the count omitted, whether its guess began another's secret.
    const r = createRedactor([TOKEN]);
    const cap = 40;
    const margin = 200; // fixed, not derived from the secrets
    for (let k = 1; k < TOKEN.value.length; k++) {
      for (const at of [cap - k, cap - 3, cap, cap + margin - k]) {
        if (at < 0) continue;
        const answers = [TOKEN.value.slice(0, k), 'q'.repeat(k)].map((tail) => {
          const raw = Buffer.from(`${'x'.repeat(at)}${tail}${'y'.repeat(cap + margin)}`);
          const s = r.createStream({ maxOutputBytes: cap });
          const text = s.write(raw.subarray(0, cap + margin));
          const end = s.end({ inputTruncated: true });
          return { text: (text + end.text).replace(/q/g, '?'), end, rawHead: raw.subarray(0, cap) };
        });
        const [prefix, random] = answers as [(typeof answers)[0], (typeof answers)[0]];
        // The same bytes, kept to the same length, with the same count omitted.
        expect(prefix.text.length).toBe(cap);
        expect(prefix.text).toBe(prefix.rawHead.toString('latin1'));
        expect(random.text.length).toBe(cap);
        expect(prefix.end.omittedBytes).toBe(random.end.omittedBytes);
        expect(prefix.end.truncated).toBe(random.end.truncated);
      }
    }
  });

  it('keeps memory bounded while one range keeps growing', () => {
    const secret = { name: 'A8', value: 'aaaaaaaa' };
    const s = createRedactor([secret]).createStream();
    let text = '';
    for (let i = 0; i < 2000; i++) text += s.write('a'.repeat(1000));
    const end = s.end();
    expect(text + end.text).toBe('[REDACTED:A8]');
    expect(end.counts).toEqual({ A8: 1 });
  });

  it('fails closed: misuse throws RedactionError and the stream stays failed', () => {
    const s = createRedactor([TOKEN]).createStream();
    s.write('a');
    expect(() => s.write(7 as unknown as string)).toThrow(RedactionError);
    expect(() => s.write('more')).toThrow(/failed earlier/);
    expect(() => s.end()).toThrow(RedactionError);
    const t = createRedactor([TOKEN]).createStream();
    t.end();
    expect(() => t.write('x')).toThrow(RedactionError);
  });

  it('does not alias the caller buffer after write returns', () => {
    const s = createRedactor([TOKEN]).createStream();
    const chunk = Buffer.from('x tok_fake_01234');
    let text = s.write(chunk);
    chunk.fill(0x41); // the caller reuses its buffer
    text += s.write('56789 y') + s.end().text;
    expect(text).toBe('x [REDACTED:TOKEN] y');
  });

  it('redactOutput: one call for captured output, same result as the stream', () => {
    const r = createRedactor([TOKEN]);
    const raw = Buffer.from(`${'z'.repeat(40)} ${TOKEN.value} tail`);
    const out = r.redactOutput(raw, { maxOutputBytes: 60 });
    // 41 + 16 (marker) + 3 of " tail" = 60.
    expect(out.text).toBe(`${'z'.repeat(40)} [REDACTED:TOKEN] ta`);
    expect(out.truncated).toBe(true);
    expect(out.omittedBytes).toBe(2);
    expect(out.counts).toEqual({ TOKEN: 1 });
    const long = Buffer.concat([raw, Buffer.alloc(r.maxPatternLength, 'w')]);
    const cut = r.redactOutput(long.subarray(0, 40 + r.maxPatternLength), {
      maxOutputBytes: 40,
      inputTruncated: true,
    });
    expect(cut.text).toBe('z'.repeat(40));
    expect(cut.truncated).toBe(true);
    expect(r.redactOutput('plain').text).toBe('plain');
    expect(() => r.redactOutput(5 as unknown as string)).toThrow(RedactionError);
  });
});

describe('createByteStream', () => {
  it('masks across chunk boundaries and keeps every other byte as it was (binary too)', () => {
    const r = createRedactor([TOKEN]);
    const binary = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x80]);
    const input = Buffer.concat([
      binary,
      Buffer.from(` ${TOKEN.value} `),
      Buffer.from(Buffer.from(TOKEN.value).toString('base64')),
      binary,
    ]);
    for (let cut = 0; cut <= input.length; cut++) {
      const s = r.createByteStream();
      const out = Buffer.concat([
        s.write(input.subarray(0, cut)),
        s.write(input.subarray(cut)),
        s.end(),
      ]);
      expect(out.subarray(0, 5)).toEqual(binary);
      expect(out.subarray(-5)).toEqual(binary);
      expect(out.includes(Buffer.from(TOKEN.value))).toBe(false);
      expect(out.toString('latin1')).toContain('[REDACTED:TOKEN]');
      expect(out.includes(Buffer.from(Buffer.from(TOKEN.value).toString('base64')))).toBe(false);
    }
  });
});

describe('createStream with holdbackBytes (live output)', () => {
  const H = 64;
  const live = (secrets: readonly Secret[] = [TOKEN]) =>
    createRedactor(secrets).createStream({ holdbackBytes: H });

  it('withholds a fixed length, whatever the tail: a secret-looking tail changes nothing', () => {
    const head = 'x'.repeat(200);
    for (const tail of ['tok_fake_0123', 'plain_text_ab', TOKEN.value.slice(0, 12), 'tok']) {
      const s = live();
      const out = s.write(head + tail);
      // Released: everything but the last H bytes, whatever they are.
      expect(Buffer.byteLength(out)).toBe(head.length + tail.length - H);
    }
  });

  it('never releases part of a secret split across writes, and masks it whole', () => {
    const input = `${'a'.repeat(100)}${TOKEN.value}${'b'.repeat(100)}`;
    for (let cut = 0; cut <= input.length; cut += 7) {
      const s = live();
      const first = s.write(input.slice(0, cut));
      const second = s.write(input.slice(cut));
      const end = s.end();
      const all = first + second + end.text;
      expect(all).toBe(`${'a'.repeat(100)}[REDACTED:TOKEN]${'b'.repeat(100)}`);
      for (const part of [first, second]) {
        expect(part).not.toContain('tok_fake');
        expect(part).not.toMatch(/0123456789/);
      }
    }
  });

  it('releases a marker as soon as its start passes the holdback point', () => {
    const s = live();
    const released = s.write(`${TOKEN.value}${'z'.repeat(H)}`);
    expect(released).toBe('[REDACTED:TOKEN]');
  });

  it('holds longer only while the tail repeats more than H bytes of a secret start', () => {
    const long: Secret = { name: 'LONG', value: `L${'0123456789abcdef'.repeat(10)}` };
    const s = live([long]);
    const partial = long.value.slice(0, H + 20);
    const out = s.write(`${'x'.repeat(100)}${partial}`);
    expect(out).toBe('x'.repeat(100));
    expect(s.write(long.value.slice(H + 20)) + s.end().text).toBe('[REDACTED:LONG]');
  });

  it('refuses a holdback that is not a non-negative integer', () => {
    expect(() => createRedactor([TOKEN]).createStream({ holdbackBytes: -1 })).toThrow(/holdback/);
  });
});
