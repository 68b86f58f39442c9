/**
 * The must-mask list of docs/security.md at library level: each output is produced by running the
 * real Python snippet with /usr/bin/python3, then redacted whole, streamed in random chunks and
 * streamed one byte at a time. Every case asserts that no variant of any secret survives and that
 * the marker appears. (The end-to-end version through the sandbox and server lives with them.)
 */
import { describe, expect, it } from 'vitest';
import { createRedactor, type Redactor, type Secret } from '../src/index.js';
import { pythonRun } from './helpers/python.js';
import { survivingVariants } from './helpers/reference.js';

const TOKEN: Secret = { name: 'API_TOKEN', value: 'fk_live_7Hq2ZxW9pL4mN8vR3sT6' };
const RICH: Secret = {
  name: 'RICH',
  value: 'fake"quote\\back\nslash-\u00e9\u5bc6\ud83d\ude00-end',
};
const PEM: Secret = {
  name: 'TLS_KEY',
  value: [
    '-----BEGIN FAKE PRIVATE KEY-----',
    'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCfakefakefake1',
    'Zm9vYmFyYmF6cXV4ZmFrZWZha2VmYWtlZmFrZWZha2VmYWtlZmFrZWZha2Vm2',
    'fakefakefakefakefakefakefakefakefakefakefakefakefakefakefake3',
    '-----END FAKE PRIVATE KEY-----',
  ].join('\n'),
};
const OTHER_PROFILE: Secret = { name: 'OTHER_PROFILE_DB', value: 'pg-fake-password-0therProf1le' };
const ALL = [TOKEN, RICH, PEM, OTHER_PROFILE];
const redactor = createRedactor(ALL);

function chunks(bytes: Uint8Array, seed: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let x = seed;
  for (let at = 0; at < bytes.length; ) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (x % 97);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

function viaStream(r: Redactor, parts: readonly Uint8Array[]): string {
  const s = r.createStream();
  let text = '';
  for (const p of parts) text += s.write(p);
  return text + s.end().text;
}

/** Redacts `output` three ways; each must hide every variant and show `markers` markers. */
function expectMasked(output: Uint8Array, secret: Secret, minMarkers = 1): string {
  const whole = redactor.redactBytes(output).text;
  const streamed = viaStream(redactor, chunks(output, output.length));
  const bytewise =
    output.length <= 200_000
      ? viaStream(
          redactor,
          [...output].map((b) => Uint8Array.of(b)),
        )
      : streamed;
  for (const text of [whole, streamed, bytewise]) {
    expect(text).toBe(whole);
    expect(survivingVariants(ALL, text)).toBe(0);
  }
  const markers = whole.split(`[REDACTED:${secret.name}]`).length - 1;
  expect(markers).toBeGreaterThanOrEqual(minMarkers);
  return whole;
}

const run = (secret: Secret, code: string) => pythonRun([secret.value], `v = values[0]\n${code}`);

describe('must-mask cases (security.md), real Python output', () => {
  it('print the value; twice on a line; at start and end with no newline', () => {
    expect(expectMasked(run(TOKEN, 'print(v)').stdout, TOKEN)).toBe('[REDACTED:API_TOKEN]\n');
    expectMasked(run(TOKEN, 'print(v, v); print(v + v)').stdout, TOKEN, 2);
    const edge = expectMasked(run(TOKEN, 'sys.stdout.write(v + " mid " + v)').stdout, TOKEN, 2);
    expect(edge).toBe('[REDACTED:API_TOKEN] mid [REDACTED:API_TOKEN]');
  });

  it('to stderr', () => {
    expectMasked(run(TOKEN, 'print("err:", v, file=sys.stderr)').stderr, TOKEN);
  });

  it('print(os.environ) and dict reprs', () => {
    for (const secret of [TOKEN, RICH]) {
      const out = run(
        secret,
        'import os\nos.environ["CRED"] = v\nprint(os.environ)\nprint({"CRED": v})\nprint([v])',
      ).stdout;
      expectMasked(out, secret, 3);
    }
  });

  it('json.dumps of a value with quotes, backslashes, newline and non-ASCII', () => {
    const out = run(
      RICH,
      'print(json.dumps(v)); print(json.dumps(v, ensure_ascii=False)); print(json.dumps({"k": [v]}))\n' +
        'print(json.dumps(v, indent=2))',
    ).stdout;
    expectMasked(out, RICH, 4);
  });

  it('tracebacks from int(value) and raise KeyError(value)', () => {
    for (const secret of [TOKEN, RICH]) {
      const a = run(secret, 'int(v)');
      expect(a.status).toBe(1);
      expectMasked(a.stderr, secret);
      const b = run(secret, 'raise KeyError(v)');
      expectMasked(b.stderr, secret);
      const c = run(secret, 'd = {}\nd[v]');
      expectMasked(c.stderr, secret);
    }
  });

  it('urllib.parse.quote and quote_plus', () => {
    for (const secret of [TOKEN, RICH, PEM]) {
      const out = run(
        secret,
        'from urllib.parse import quote, quote_plus, urlencode\n' +
          'print(quote(v)); print(quote_plus(v)); print(quote(v, safe="")); print(urlencode({"k": v}))',
      ).stdout;
      expectMasked(out, secret, 4);
    }
  });

  it('base64 of prefix + value for prefix lengths 0..5 with a trailing newline, and URL-safe', () => {
    for (const secret of [TOKEN, RICH, PEM]) {
      const out = run(
        secret,
        'import base64, os\n' +
          'for k in range(6):\n' +
          '  p = os.urandom(k) + v.encode()\n' +
          '  print(base64.b64encode(p).decode())\n' +
          '  print(base64.urlsafe_b64encode(p).decode())\n' +
          '  print(base64.b64encode((os.urandom(k).hex()[:k] + v + "\\n").encode()).decode())\n' +
          'print(base64.b64encode(b"user:" + v.encode()).decode())',
      ).stdout;
      expectMasked(out, secret, 19);
    }
  });

  it('hex lower and upper', () => {
    const out = run(
      RICH,
      'print(v.encode().hex()); print(v.encode().hex().upper()); import binascii; print(binascii.hexlify(v.encode()))',
    ).stdout;
    expectMasked(out, RICH, 3);
  });

  it('a PEM value whole, line by line, with CRLF', () => {
    const out = run(
      PEM,
      'print(v)\nfor line in v.splitlines(): print(line)\nsys.stdout.write(v.replace("\\n", "\\r\\n"))\nprint(repr(v))',
    ).stdout;
    const text = expectMasked(out, PEM, 4);
    expect(text).not.toContain('MIIEvQ');
  });

  it('one character per write with flush (and pauses): nothing of the value released early', async () => {
    const out = run(
      TOKEN,
      'import time\nfor c in "x=" + v + ";":\n  sys.stdout.write(c); sys.stdout.flush()',
    ).stdout;
    const s = redactor.createStream();
    let released = '';
    for (const b of out) {
      released += s.write(Uint8Array.of(b));
      // A pause releases nothing: there is no timer, only the automaton state decides.
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(
        released === '' || released === 'x' || released === 'x=' || released.startsWith('x=['),
      ).toBe(true);
    }
    expect(released + s.end().text).toBe('x=[REDACTED:API_TOKEN];');
  });

  it('one secret a prefix of another, and two overlapping secrets', () => {
    const short: Secret = { name: 'SHORT', value: 'fk_fake_prefix_01' };
    const long: Secret = { name: 'LONG', value: 'fk_fake_prefix_01_and_longer' };
    const left: Secret = { name: 'LEFT', value: 'overlap-fake-AAAA' };
    const right: Secret = { name: 'RIGHT', value: 'AAAA-fake-overlap' };
    const secrets = [short, long, left, right];
    const r = createRedactor(secrets);
    const out = pythonRun(
      secrets.map((s) => s.value),
      'a, b, c, d = values\nprint(a); print(b); print(b[:-3]); print(c[:-4] + d)\nimport base64\nprint(base64.b64encode((c[:-4] + d).encode()).decode())',
    ).stdout;
    const text = r.redactBytes(out).text;
    expect(survivingVariants(secrets, text)).toBe(0);
    expect(text.split('\n').slice(0, 4)).toEqual([
      '[REDACTED:SHORT]',
      '[REDACTED:LONG]',
      '[REDACTED:SHORT]_and_lon',
      '[REDACTED:LEFT]',
    ]);
    expect(viaStream(r, chunks(out, 7))).toBe(text);
  });

  it('a value straddling the output cap', () => {
    const cap = 4096;
    const out = run(TOKEN, `sys.stdout.write("a" * ${cap - 10} + v + "b" * 10000)`).stdout;
    const captured = out.subarray(0, cap + redactor.maxPatternLength);
    const s = redactor.createStream({ maxOutputBytes: cap });
    let text = '';
    for (const c of chunks(captured, 3)) text += s.write(c);
    const end = s.end({ inputTruncated: captured.length < out.length });
    text += end.text;
    expect(end.truncated).toBe(true);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(cap);
    expect(survivingVariants(ALL, text)).toBe(0);
    // The marker does not fit: it is dropped whole, never shown half.
    expect(text === 'a'.repeat(cap - 10)).toBe(true);
    // With room for it, the marker comes right after the a's, then the b's up to the cap's
    // position in the raw input (cap + 30): raw bytes past it are context, never released.
    const s2 = redactor.createStream({ maxOutputBytes: cap + 30 });
    const t2 =
      s2.write(out.subarray(0, cap + 30 + redactor.maxPatternLength)) +
      s2.end({ inputTruncated: true }).text;
    expect(t2 === `${'a'.repeat(cap - 10)}[REDACTED:API_TOKEN]${'b'.repeat(40 - 28)}`).toBe(true);
  });

  it("another profile's secret printed from this profile's run", () => {
    // The redactor holds every stored credential, not just the running profile's.
    const out = run(OTHER_PROFILE, 'print("leaked:", v)').stdout;
    expectMasked(out, OTHER_PROFILE);
  });

  it('1 MiB of random bytes with the value inside and invalid UTF-8 around it', () => {
    const out = run(
      TOKEN,
      'import os\nr = os.urandom(1 << 20)\n' +
        'sys.stdout.buffer.write(r[:500000] + b"\\xff\\xc3" + v.encode() + b"\\xe2\\x82" + r[500000:])\n' +
        'sys.stdout.buffer.write(b"\\xf0\\x9f" + v.encode())',
    ).stdout;
    expect(out.length).toBeGreaterThan(1 << 20);
    expectMasked(out, TOKEN, 2);
  });

  it('the value inside set_result data, in keys and values', () => {
    const out = run(
      RICH,
      'print(json.dumps({v: [v, {"k": v, "n": 1}], "x": "pre " + v + " post"}))',
    ).stdout;
    const redacted = redactor.redactJsonText(out.toString('utf8'));
    if (!redacted.ok) throw new Error(`refused: ${redacted.reason}`);
    expect(survivingVariants(ALL, redacted.text)).toBe(0);
    expect(redacted.counts).toEqual({ RICH: 4 });
    expect(JSON.parse(redacted.text)).toEqual({
      '[REDACTED:RICH]': ['[REDACTED:RICH]', { k: '[REDACTED:RICH]', n: 1 }],
      x: 'pre [REDACTED:RICH] post',
    });
  });
});
