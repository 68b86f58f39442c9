import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generateProfileKey,
  NONCE_HEADER,
  type ReceivedApiRequest,
  SIGNATURE_HEADER,
  signApiRequest,
  signV1,
  signV2,
  TIMESTAMP_HEADER,
  verifyApiRequest,
  verifySignature,
} from './index.js';

/*
 * Test vectors (also in README.md "Test vectors"), computed independently of this code: the
 * "independent signers" tests below recompute every one with Python's hmac and with openssl.
 */
const VECTOR_SECRET = 'TestOnlySecretNotReal0123456789abcdefghijklmnopq';
const VECTOR_TS = 1764288000;
const VECTOR_NONCE = '000102030405060708090a0b0c0d0e0f';
const VECTORS = [
  {
    name: 'ASCII script',
    script: 'print("hello from airlock")',
    v1: 'caf81f0251631ad129ec066023d568bd0b5b74f988719994f12d4f0895c5d959',
    v2: 'ed97742167ee7fd1f8960eea9a11cbfbc66bfe9666308752974a9577de58c6a7',
  },
  {
    name: 'non-ASCII script with trailing newline',
    script: 'print("h\u00e9llo, \u4e16\u754c \u{1F511}")\n',
    v1: '822e8cc98f5f4ac5ab2888f3f98a21fd67479a65a58709b00a52a6c72cbda83d',
    v2: 'b23d0f728ddd18c5a5de69ec62649f597eca803173b4187835431824e8a7677d',
  },
  {
    name: 'empty script',
    script: '',
    v1: '647ab619540b87c126354e45c85f5b36d21435c5ff1e29eb3768c0e8e79333c4',
    v2: undefined,
  },
] as const;

/** Signed API requests, same secret, timestamp and nonce. */
const REQUEST_VECTORS = [
  {
    method: 'GET',
    target: '/executions?limit=10',
    body: '',
    signature: '11d7dfb15c4de1445f3440e474f7ea49a75b7e281d6625631b62c3ea5f2f9003',
  },
  {
    method: 'POST',
    target: '/requirements',
    body: '{"packages":["six"]}',
    signature: '3d276d5efaea40d6f581d4fe0d2e6913d1618d6037300595d15cf4a091a9b651',
  },
] as const;

const at = (sec: number) => () => sec * 1000;

function run(file: string, args: string[], input: string | Buffer = ''): string {
  const r = spawnSync(file, args, { input, env: { PATH: '/usr/bin:/bin' } });
  if (r.status !== 0) throw new Error(`${file} exited with ${r.status}`);
  return r.stdout.toString('utf8').trim();
}
const opensslHmac = (message: string | Buffer) =>
  run('openssl', ['dgst', '-sha256', '-hmac', VECTOR_SECRET], message).replace(/^.* /, '');
const pythonHmac = (message: Buffer) =>
  run(
    '/usr/bin/python3',
    [
      '-I',
      '-c',
      `import hmac,hashlib,sys; print(hmac.new(${JSON.stringify(VECTOR_SECRET)}.encode(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())`,
    ],
    message,
  );

describe('independent signers (Python hmac, openssl) agree with every vector', () => {
  const tail = `1764288000\n${VECTOR_NONCE}`;
  it.each(VECTORS)('execute: $name', ({ script, v1, v2 }) => {
    expect(pythonHmac(Buffer.from(script))).toBe(v1);
    expect(opensslHmac(Buffer.from(script))).toBe(v1);
    if (v2 !== undefined) {
      const message = Buffer.from(`AIRLOCK/2 EXECUTE\n1764288000\n${VECTOR_NONCE}\n${script}`);
      expect(pythonHmac(message)).toBe(v2);
      expect(opensslHmac(message)).toBe(v2);
    }
  });
  it.each(REQUEST_VECTORS)('request: $method $target', ({ method, target, body, signature }) => {
    const digest = run('openssl', ['dgst', '-sha256'], body).replace(/^.* /, '');
    const message = Buffer.from(`AIRLOCK/2 REQUEST\n${method}\n${target}\n${digest}\n${tail}`);
    expect(pythonHmac(message)).toBe(signature);
    expect(opensslHmac(message)).toBe(signature);
  });
});

describe('test vectors', () => {
  it.each(VECTORS)('v1: $name', ({ script, v1 }) => {
    expect(signV1(VECTOR_SECRET, script)).toBe(v1);
    expect(verifySignature(VECTOR_SECRET, { script, hash: v1 })).toEqual({ ok: true, version: 1 });
  });

  it.each(VECTORS.filter((v) => v.v2 !== undefined))('v2: $name', ({ script, v2 }) => {
    const s = signV2(VECTOR_SECRET, script, { timestamp: VECTOR_TS, nonce: VECTOR_NONCE });
    expect(s.hash).toBe(v2);
    expect(s.timestamp).toBe('1764288000');
    expect(s.nonce).toBe(VECTOR_NONCE);
    expect(s.headers).toEqual({
      'X-Airlock-Timestamp': '1764288000',
      'X-Airlock-Nonce': VECTOR_NONCE,
    });
    const r = verifySignature(
      VECTOR_SECRET,
      { script, hash: v2, timestamp: '1764288000', nonce: VECTOR_NONCE },
      { now: at(VECTOR_TS) },
    );
    expect(r).toEqual({ ok: true, version: 2, timestamp: VECTOR_TS, nonce: VECTOR_NONCE });
  });

  it.each(REQUEST_VECTORS)('request: $method $target', ({ method, target, body, signature }) => {
    const s = signApiRequest(
      VECTOR_SECRET,
      { method, target, body },
      { timestamp: VECTOR_TS, nonce: VECTOR_NONCE },
    );
    expect(s.signature).toBe(signature);
    expect(s.headers['X-Airlock-Signature']).toBe(signature);
    const r = verifyApiRequest(
      VECTOR_SECRET,
      { method, target, body, signature, timestamp: '1764288000', nonce: VECTOR_NONCE },
      { now: at(VECTOR_TS) },
    );
    expect(r).toEqual({ ok: true, timestamp: VECTOR_TS, nonce: VECTOR_NONCE });
  });

  it('exposes the header names of the contract', () => {
    expect(TIMESTAMP_HEADER).toBe('X-Airlock-Timestamp');
    expect(NONCE_HEADER).toBe('X-Airlock-Nonce');
    expect(SIGNATURE_HEADER).toBe('X-Airlock-Signature');
  });
});

describe('domain separation: nothing signed for one purpose verifies for another', () => {
  const { secret } = generateProfileKey();
  const T = 1_800_000_000;

  it('a captured version-2 request replayed as version 1 (script = the v2 message) is refused', () => {
    const script = 'print("run me once")';
    const v2 = signV2(secret, script, { timestamp: T, nonce: VECTOR_NONCE });
    const replayed = `AIRLOCK/2 EXECUTE\n${T}\n${VECTOR_NONCE}\n${script}`;
    expect(verifySignature(secret, { script: replayed, hash: v2.hash })).toEqual({
      ok: false,
      reason: 'reserved_prefix',
    });
    // The old format (no tag) was exactly this attack: a v1 signature over the v2 message.
    expect(() => signV1(secret, replayed)).toThrow(TypeError);
  });

  it('a signed API request is neither a version-1 script nor a version-2 execute', () => {
    const s = signApiRequest(
      secret,
      { method: 'GET', target: '/executions', body: '' },
      {
        timestamp: T,
        nonce: VECTOR_NONCE,
      },
    );
    const digest = createHash('sha256').update('').digest('hex');
    const message = `AIRLOCK/2 REQUEST\nGET\n/executions\n${digest}\n${T}\n${VECTOR_NONCE}`;
    expect(verifySignature(secret, { script: message, hash: s.signature }).ok).toBe(false);
    // As a v2 execute of any script the tag differs, so the HMAC cannot match.
    const asV2 = verifySignature(
      secret,
      { script: message, hash: s.signature, timestamp: String(T), nonce: VECTOR_NONCE },
      { now: at(T) },
    );
    expect(asV2).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('a version-2 execute signature is not a request signature', () => {
    const v2 = signV2(secret, 'x', { timestamp: T, nonce: VECTOR_NONCE });
    const r = verifyApiRequest(
      secret,
      {
        method: 'GET',
        target: '/executions',
        body: '',
        signature: v2.hash,
        timestamp: String(T),
        nonce: VECTOR_NONCE,
      },
      { now: at(T) },
    );
    expect(r).toEqual({ ok: false, reason: 'mismatch' });
  });
});

describe('signed API requests', () => {
  const { secret } = generateProfileKey();
  const T = 1_800_000_000;
  const base = { method: 'POST', target: '/requirements?x=1', body: '{"packages":["six"]}' };
  const signed = signApiRequest(secret, base, { timestamp: T, nonce: VECTOR_NONCE });
  const received = {
    ...base,
    signature: signed.signature,
    timestamp: String(T),
    nonce: VECTOR_NONCE,
  };
  const check = (over: Partial<ReceivedApiRequest>, now = T, key = secret) =>
    verifyApiRequest(key, { ...received, ...over }, { now: at(now) });

  it('any signed part altered is a mismatch', () => {
    expect(check({})).toMatchObject({ ok: true });
    for (const over of [
      { method: 'PUT' },
      { target: '/requirements?x=2' },
      { target: '/requirements' },
      { body: '{"packages":["six","requests"]}' },
      { body: Buffer.from('{"packages":["six"]} ') },
      { timestamp: String(T + 1) },
      { nonce: `${VECTOR_NONCE.slice(0, -1)}1` },
    ]) {
      expect(check(over), JSON.stringify(over)).toEqual({ ok: false, reason: 'mismatch' });
    }
    expect(check({}, T, generateProfileKey().secret)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('±300 s accepted, ±301 s rejected', () => {
    for (const d of [-300, 300]) {
      const s = signApiRequest(secret, base, { timestamp: T + d, nonce: VECTOR_NONCE });
      expect(check({ signature: s.signature, timestamp: String(T + d) })).toMatchObject({
        ok: true,
      });
    }
    for (const d of [-301, 301]) {
      const s = signApiRequest(secret, base, { timestamp: T + d, nonce: VECTOR_NONCE });
      expect(check({ signature: s.signature, timestamp: String(T + d) })).toEqual({
        ok: false,
        reason: 'timestamp_out_of_window',
      });
    }
  });

  it('missing or malformed parts are reasons, never exceptions', () => {
    expect(check({ signature: undefined, timestamp: undefined, nonce: undefined })).toEqual({
      ok: false,
      reason: 'missing_signature',
    });
    expect(check({ signature: undefined })).toEqual({ ok: false, reason: 'malformed_signature' });
    expect(check({ signature: signed.signature.toUpperCase() })).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
    expect(check({ timestamp: '01' })).toEqual({ ok: false, reason: 'malformed_timestamp' });
    expect(check({ nonce: 'abc' })).toEqual({ ok: false, reason: 'malformed_nonce' });
    expect(check({ method: 'get' })).toEqual({ ok: false, reason: 'malformed_request' });
    expect(check({ target: 'executions' })).toEqual({ ok: false, reason: 'malformed_request' });
    expect(check({ target: '/a b' })).toEqual({ ok: false, reason: 'malformed_request' });
    expect(check({ nonce: 7 as unknown as string })).toEqual({
      ok: false,
      reason: 'malformed_nonce',
    });
  });
});

describe('signV2 defaults', () => {
  it('uses the clock for the timestamp and 16 fresh random bytes for the nonce', () => {
    const { secret } = generateProfileKey();
    const a = signV2(secret, 'x', { now: at(1_800_000_000) });
    const b = signV2(secret, 'x', { now: at(1_800_000_000) });
    expect(a.timestamp).toBe('1800000000');
    expect(a.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.hash).not.toBe(b.hash);
  });

  it('refuses a bad nonce, timestamp, secret or script (caller bugs)', () => {
    const { secret } = generateProfileKey();
    expect(() => signV2(secret, 'x', { nonce: 'ABCDEF'.repeat(6) })).toThrow(RangeError);
    expect(() => signV2(secret, 'x', { nonce: 'ab' })).toThrow(RangeError);
    expect(() => signV2(secret, 'x', { timestamp: -1 })).toThrow(RangeError);
    expect(() => signV2(secret, 'x', { timestamp: 1.5 })).toThrow(RangeError);
    expect(() => signV2('', 'x')).toThrow(TypeError);
    expect(() => signV1(secret, 'a\uD800b')).toThrow(TypeError);
    expect(() => signV1(secret, 42 as unknown as string)).toThrow(TypeError);
  });
});

describe('altering any signed part is rejected', () => {
  const { secret } = generateProfileKey();
  const other = generateProfileKey().secret;
  const script = 'import os\nprint(settings.get("API_TOKEN") is not None)\n';
  const T = 1_800_000_000;

  it('v1: script or secret changed', () => {
    const hash = signV1(secret, script);
    expect(verifySignature(secret, { script, hash }).ok).toBe(true);
    expect(verifySignature(secret, { script: `${script} `, hash })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifySignature(other, { script, hash })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(secret, { script, hash: signV1(other, script) })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('v2: script, timestamp, nonce or secret changed', () => {
    const s = signV2(secret, script, { timestamp: T });
    const base = { script, hash: s.hash, timestamp: s.timestamp, nonce: s.nonce };
    const opts = { now: at(T) };
    expect(verifySignature(secret, base, opts).ok).toBe(true);
    const mismatch = { ok: false, reason: 'mismatch' };
    expect(
      verifySignature(secret, { ...base, script: script.replace('API', 'APJ') }, opts),
    ).toEqual(mismatch);
    expect(verifySignature(secret, { ...base, timestamp: String(T + 1) }, opts)).toEqual(mismatch);
    const flipped = (s.nonce[0] === 'a' ? 'b' : 'a') + s.nonce.slice(1);
    expect(verifySignature(secret, { ...base, nonce: flipped }, opts)).toEqual(mismatch);
    expect(verifySignature(other, base, opts)).toEqual(mismatch);
  });

  it('a v2 hash sent as v1 (headers dropped) and a v1 hash sent with headers both fail', () => {
    const s = signV2(secret, script, { timestamp: T });
    expect(verifySignature(secret, { script, hash: s.hash }, { now: at(T) })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    const v1 = signV1(secret, script);
    expect(
      verifySignature(
        secret,
        { script, hash: v1, timestamp: s.timestamp, nonce: s.nonce },
        { now: at(T) },
      ),
    ).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('a field cannot absorb part of another: a newline smuggled into the nonce is refused', () => {
    // Timestamp (digits) and nonce (hex) cannot contain "\n", so the signed message splits one way
    // only; a nonce carrying "\n<first line of script>" must not verify.
    const nonce = 'ab'.repeat(16);
    const s = signV2(secret, `${nonce}\nx`, { timestamp: T, nonce: 'cd'.repeat(16) });
    const r = verifySignature(
      secret,
      { script: 'x', hash: s.hash, timestamp: String(T), nonce: `${'cd'.repeat(16)}\n${nonce}` },
      { now: at(T) },
    );
    expect(r).toEqual({ ok: false, reason: 'malformed_nonce' });
  });
});

describe('timestamp window (injected clock)', () => {
  const { secret } = generateProfileKey();
  const T = 1_800_000_000;
  const s = signV2(secret, 'print(1)', { timestamp: T });
  const req = { script: 'print(1)', hash: s.hash, timestamp: s.timestamp, nonce: s.nonce };

  it.each([0, 1, -1, 299, -299, 300, -300])('accepts a clock %i s away', (d) => {
    expect(verifySignature(secret, req, { now: at(T + d) }).ok).toBe(true);
  });

  it('accepts 300.999 s (whole seconds are compared)', () => {
    expect(verifySignature(secret, req, { now: () => (T + 300) * 1000 + 999 }).ok).toBe(true);
  });

  it.each([301, -301, 3600, -86_400])('rejects a clock %i s away', (d) => {
    expect(verifySignature(secret, req, { now: at(T + d) })).toEqual({
      ok: false,
      reason: 'timestamp_out_of_window',
    });
  });

  it('honours a custom window', () => {
    expect(verifySignature(secret, req, { now: at(T + 61), windowSeconds: 60 }).ok).toBe(false);
    expect(verifySignature(secret, req, { now: at(T + 60), windowSeconds: 60 }).ok).toBe(true);
    expect(() => verifySignature(secret, req, { windowSeconds: 0 })).toThrow(RangeError);
  });

  it('reports mismatch rather than window when the signature is also wrong', () => {
    expect(
      verifySignature(secret, { ...req, script: 'print(2)' }, { now: at(T + 10_000) }),
    ).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('treats a millisecond timestamp as out of the window', () => {
    const ms = signV2(secret, 'x', { timestamp: T * 1000 });
    expect(
      verifySignature(
        secret,
        { script: 'x', hash: ms.hash, timestamp: ms.timestamp, nonce: ms.nonce },
        { now: at(T) },
      ),
    ).toEqual({ ok: false, reason: 'timestamp_out_of_window' });
  });
});

describe('malformed input is rejected cleanly, never thrown', () => {
  const { secret } = generateProfileKey();
  const script = 'print("hi")';
  const good = signV1(secret, script);
  const T = 1_800_000_000;

  it.each([
    ['uppercase', good.toUpperCase()],
    ['one uppercase char', `${good.slice(0, 63)}${good[63] === 'a' ? 'A' : 'F'}`],
    ['short (63)', good.slice(0, 63)],
    ['short (32 bytes as base64)', Buffer.from(good, 'hex').toString('base64')],
    ['long (65)', `${good}0`],
    ['long (128)', good + good],
    ['empty', ''],
    ['non-hex', `${good.slice(0, 63)}g`],
    ['non-ASCII', `${good.slice(0, 63)}é`],
    ['full-width digit', `${good.slice(0, 63)}\uFF10`],
    ['trailing newline', `${good.slice(0, 63)}\n`],
    ['with prefix', `sha256=${good}`.slice(0, 64)],
    ['NUL', `${good.slice(0, 63)}\0`],
    ['huge', 'a'.repeat(10_000_000)],
  ])('hash %s → malformed_signature', (_name, hash) => {
    expect(verifySignature(secret, { script, hash })).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['number', 123],
    ['object', { hash: good }],
    ['array', [good]],
    ['Buffer', Buffer.from(good, 'hex')],
    ['boxed string', Object(good)],
  ])('hash %s (non-string) → malformed_signature', (_name, hash) => {
    expect(verifySignature(secret, { script, hash })).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it.each([
    ['number', 42],
    ['null', null],
    ['Buffer', Buffer.from('print(1)')],
    ['lone high surrogate', 'a\uD800'],
    ['lone low surrogate', '\uDC00b'],
  ])('script %s → malformed_script', (_name, bad) => {
    expect(verifySignature(secret, { script: bad, hash: good })).toEqual({
      ok: false,
      reason: 'malformed_script',
    });
  });

  const v2 = signV2(secret, script, { timestamp: T });

  it.each([
    ['empty', ''],
    ['leading space', ` ${T}`],
    ['trailing space', `${T} `],
    ['fraction', `${T}.0`],
    ['negative', `-${T}`],
    ['plus sign', `+${T}`],
    ['leading zero', `0${T}`],
    ['exponent', '1.8e9'],
    ['hex', '0x6b49d200'],
    ['words', 'now'],
    ['16 digits', '1'.repeat(16)],
    ['huge', '1'.repeat(1_000_000)],
    ['number type', T],
    ['array', [String(T)]],
  ])('timestamp %s → malformed_timestamp', (_name, timestamp) => {
    expect(
      verifySignature(
        secret,
        { script, hash: v2.hash, timestamp, nonce: v2.nonce },
        { now: at(T) },
      ),
    ).toEqual({ ok: false, reason: 'malformed_timestamp' });
  });

  it.each([
    ['empty', ''],
    ['15 bytes', 'ab'.repeat(15)],
    ['odd length (33)', `${'ab'.repeat(16)}a`],
    ['65 bytes', 'ab'.repeat(65)],
    ['uppercase', 'AB'.repeat(16)],
    ['non-hex', 'zz'.repeat(16)],
    ['non-ASCII', 'é'.repeat(32)],
    ['huge', 'ab'.repeat(1_000_000)],
    ['number type', 1234],
    ['object', {}],
  ])('nonce %s → malformed_nonce', (_name, nonce) => {
    expect(
      verifySignature(
        secret,
        { script, hash: v2.hash, timestamp: v2.timestamp, nonce },
        { now: at(T) },
      ),
    ).toEqual({ ok: false, reason: 'malformed_nonce' });
  });

  it('accepts the documented nonce bounds: 16 and 64 bytes', () => {
    for (const nonce of ['0f'.repeat(16), '0f'.repeat(64)]) {
      const s = signV2(secret, script, { timestamp: T, nonce });
      expect(
        verifySignature(
          secret,
          { script, hash: s.hash, timestamp: s.timestamp, nonce },
          { now: at(T) },
        ).ok,
      ).toBe(true);
    }
  });

  it('treats one v2 header without the other as malformed v2, not as v1', () => {
    expect(
      verifySignature(secret, { script, hash: good, timestamp: String(T) }, { now: at(T) }),
    ).toEqual({
      ok: false,
      reason: 'malformed_nonce',
    });
    expect(
      verifySignature(secret, { script, hash: good, nonce: 'ab'.repeat(16) }, { now: at(T) }),
    ).toEqual({
      ok: false,
      reason: 'malformed_timestamp',
    });
  });

  it('refuses v1 when the profile requires v2', () => {
    expect(verifySignature(secret, { script, hash: good }, { requireV2: true })).toEqual({
      ok: false,
      reason: 'v2_required',
    });
    const req = { script, hash: v2.hash, timestamp: v2.timestamp, nonce: v2.nonce };
    expect(verifySignature(secret, req, { requireV2: true, now: at(T) }).ok).toBe(true);
  });

  it('throws only on a broken invariant: an empty or non-string secret from the caller', () => {
    expect(() => verifySignature('', { script, hash: good })).toThrow(TypeError);
    expect(() => verifySignature(undefined as unknown as string, { script, hash: good })).toThrow(
      TypeError,
    );
  });
});

describe('property: sign → verify, and any one-character change fails', () => {
  const { secret } = generateProfileKey();
  const T = 1_800_000_000;
  // Full Unicode code points (no lone surrogates), so non-ASCII and astral characters appear.
  const scriptArb = fc.string({ unit: 'binary', minLength: 1, maxLength: 300 });
  const charArb = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });

  /** Replace the code point at `i` with `c` (which must differ). */
  function mutate(script: string, i: number, c: string): string {
    const cps = Array.from(script);
    cps[i % cps.length] = c;
    return cps.join('');
  }

  it('v1', () => {
    fc.assert(
      fc.property(scriptArb, fc.nat(), charArb, (script, i, c) => {
        const hash = signV1(secret, script);
        expect(verifySignature(secret, { script, hash })).toEqual({ ok: true, version: 1 });
        const changed = mutate(script, i, c);
        fc.pre(changed !== script);
        expect(verifySignature(secret, { script: changed, hash })).toEqual({
          ok: false,
          reason: 'mismatch',
        });
        // Inserting or deleting a character is a change too.
        expect(verifySignature(secret, { script: script + c, hash }).ok).toBe(false);
        expect(
          verifySignature(secret, { script: Array.from(script).slice(1).join(''), hash }).ok,
        ).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('v2', () => {
    fc.assert(
      fc.property(scriptArb, fc.nat(), charArb, (script, i, c) => {
        const s = signV2(secret, script, { timestamp: T });
        const req = { script, hash: s.hash, timestamp: s.timestamp, nonce: s.nonce };
        expect(verifySignature(secret, req, { now: at(T) }).ok).toBe(true);
        const changed = mutate(script, i, c);
        fc.pre(changed !== script);
        expect(verifySignature(secret, { ...req, script: changed }, { now: at(T) })).toEqual({
          ok: false,
          reason: 'mismatch',
        });
      }),
      { numRuns: 300 },
    );
  });

  it('any one hex digit of the hash changed fails', () => {
    fc.assert(
      fc.property(scriptArb, fc.nat(63), fc.nat(15), (script, i, d) => {
        const hash = signV1(secret, script);
        const digit = d.toString(16);
        fc.pre(hash[i] !== digit);
        const bad = hash.slice(0, i) + digit + hash.slice(i + 1);
        expect(verifySignature(secret, { script, hash: bad })).toEqual({
          ok: false,
          reason: 'mismatch',
        });
      }),
      { numRuns: 300 },
    );
  });
});
