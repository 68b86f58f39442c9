import { describe, expect, it } from 'vitest';
import { createTestContext } from './test/harness.js';
import { fill, listRoutes } from './test/routes.js';

/** A small seeded PRNG (mulberry32) so a failure can be replayed from the seed in its message. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { next, int, pick };
}

const nested = (depth: number, open: string, close: string, inner = '1') =>
  open.repeat(depth) + inner + close.repeat(depth);

/** Raw bodies that are not valid requests for any endpoint. */
function malformedBody(r: ReturnType<typeof rng>): { body: string; type: string } {
  const fields = [
    'credentials',
    'name',
    'description',
    'value',
    'password',
    'setup_code',
    'expires_at',
    'file',
    'passphrase',
    'strategy',
    'require_signature_v2',
    '__proto__',
    'constructor',
  ];
  const weird: unknown[] = [
    null,
    true,
    0,
    -1,
    1e308,
    'x'.repeat(r.pick([1, 200, 70_000])),
    [],
    {},
    [null],
    [{}],
    ['ok', 1],
    { name: {} },
    '\u0000',
    'tab\tnew\nline',
    '😀',
    '../../etc/passwd',
    "'; DROP TABLE credentials; --",
    '<script>',
    '2026-02-31T00:00:00Z',
  ];
  switch (r.int(12)) {
    case 0:
      return {
        body: r.pick(['{', '[', '{"a":', '{"a" 1}', 'nul', '{"credentials": [}', "{'a': 1}", '']),
        type: 'application/json',
      };
    case 1:
      return { body: nested(r.pick([40, 1000, 20_000]), '[', ']'), type: 'application/json' };
    case 2:
      return { body: nested(r.pick([40, 5000]), '{"a":', '}'), type: 'application/json' };
    case 3:
      return { body: `{"${r.pick(fields)}": "\\ud800"}`, type: 'application/json' };
    case 4:
      return { body: `{"${r.pick(fields)}": "a\\u0000b"}`, type: 'application/json' };
    case 5:
      return {
        body: JSON.stringify({
          __proto__: { admin: true },
          constructor: { prototype: {} },
          credentials: [{ name: '__proto__' }],
        }),
        type: 'application/json',
      };
    case 6:
      return {
        body: JSON.stringify({ [r.pick(fields)]: r.pick(weird), [r.pick(fields)]: r.pick(weird) }),
        type: 'application/json',
      };
    case 7:
      return { body: JSON.stringify(r.pick(weird)), type: 'application/json' };
    case 8:
      return {
        body: 'credentials=A_B',
        type: r.pick([
          'application/x-www-form-urlencoded',
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/xml',
        ]),
      };
    case 9:
      return {
        body: JSON.stringify({
          credentials: Array.from({ length: r.pick([501, 5000]) }, (_, i) => `N${i}`),
        }),
        type: 'application/json',
      };
    case 10:
      return {
        body: Buffer.from(Array.from({ length: 64 }, () => r.int(256))).toString('latin1'),
        type: 'application/json',
      };
    default:
      return {
        body: JSON.stringify({
          credentials: [{ name: r.pick(weird), description: r.pick(weird) }],
          file: r.pick(weird),
          passphrase: r.pick(weird),
        }),
        type: 'application/json; charset=utf-8',
      };
  }
}

describe('malformed requests at every endpoint', () => {
  it('never produce a 500 and the server keeps answering', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261128);
    const r = rng(seed);
    const ctx = createTestContext({ env: { AIRLOCK_MAX_BODY_BYTES: String(256 * 1024) } });
    const token = await ctx.adminToken();
    const { profileId } = await ctx.lockedProfile(token, { FUZZ_KEY: 'fuzz-value-1234' });
    const routes = (await listRoutes(ctx)).filter(
      (x) => !x.template.endsWith('/logout') && !x.template.endsWith('/password'),
    );
    // ('..' is left out: URL normalisation turns /profiles/.. into /, the UI page.)
    const ids = [profileId, 'nope', '%00', 'a'.repeat(300), '😀'];
    const names = ['FUZZ_KEY', '1bad', 'NOPE', '__proto__', 'x'.repeat(200)];
    const statuses = new Map<number, number>();
    let sent = 0;
    for (let round = 0; round < 3000; round++) {
      const route = r.pick(routes);
      const path = fill(route.template, { id: r.pick(ids), name: r.pick(names) });
      const { body, type } = malformedBody(r);
      const headers: Record<string, string> = { 'content-type': type };
      if (r.next() < 0.7) headers.authorization = `Bearer ${token}`;
      const oversized = r.next() < 0.02;
      const res = await ctx.app.request(path, {
        method: route.method,
        headers,
        ...(route.method === 'GET' ? {} : { body: oversized ? 'x'.repeat(300 * 1024) : body }),
      });
      const text = await res.text();
      sent++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(
        res.status,
        `seed ${seed} round ${round}: ${route.method} ${path} ${body.slice(0, 80)} → ${text.slice(0, 200)}`,
      ).toBeLessThan(500);
      // Every answer is typed, except a 204 (a deletion), which has no body at all.
      if (res.status === 204) expect(text, `${route.method} ${path}`).toBe('');
      else
        expect(res.headers.get('content-type') ?? '', `${route.method} ${path}`).toMatch(
          /json|octet-stream|markdown|csv/,
        );
    }
    expect(sent).toBe(3000);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    expect((await ctx.call('GET', '/health')).status).toBe(200);
    // Reads still work (bodiless actions such as revoke may legitimately have run).
    const list = await ctx.call('GET', '/api/admin/profiles', { token });
    expect(list.status).toBe(200);
    expect(Array.isArray(list.json.profiles)).toBe(true);
    ctx.close();
  }, 120_000);
});
