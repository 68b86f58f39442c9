import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext } from './test/harness.js';

let ctx = createTestContext();
afterEach(() => {
  ctx.close();
  ctx = createTestContext();
});

describe('HTTP plumbing', () => {
  it('answers unknown API paths with a JSON 404, never HTML', async () => {
    for (const path of ['/nope', '/api/nope', '/profiles/x/y/z', '/executionsX']) {
      const r = await ctx.call('GET', path);
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
      expect(r.json.detail).toBe('Not Found');
    }
  });

  it('gives every response a request id, echoed in error bodies', async () => {
    const r = await ctx.call('GET', '/nope');
    expect(r.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{16}$/);
    expect(r.json.request_id).toBe(r.headers.get('x-request-id'));
  });

  it('refuses malformed JSON with a clear 400 and stores nothing', async () => {
    const r = await ctx.call('POST', '/credentials', {
      rawBody: '{"credentials": [',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(400);
    expect(r.json.detail).toMatch(/Malformed JSON/);
    expect((await ctx.call('GET', '/credentials')).json.credentials).toEqual([]);
  });

  it('refuses lone surrogates, NUL characters and deep nesting with 422, storing nothing', async () => {
    const bodies = [
      '{"credentials":[{"name":"OK_NAME","description":"\\ud800"}]}',
      '{"credentials":[{"name":"OK_NAME","description":"a\\u0000b"}]}',
      `{"credentials":[{"name":"OK_NAME","description":"d"}],"x":${'['.repeat(40)}${']'.repeat(40)}}`,
      '{"credentials":[{"name":"OK_NAME"}],"\\udfff":1}',
    ];
    for (const rawBody of bodies) {
      const r = await ctx.call('POST', '/credentials', {
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expect(r.status).toBe(422);
      expect(r.json.detail).toMatch(/surrogate|NUL|nested/);
    }
    expect((await ctx.call('GET', '/credentials')).json.credentials).toEqual([]);
  });

  it('treats __proto__ keys as plain data', async () => {
    const r = await ctx.call('POST', '/credentials', {
      rawBody: '{"__proto__":{"polluted":true},"credentials":[{"name":"P_KEY"}]}',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(201);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads an empty JSON body as {}: bodiless actions work, required fields get a 422', async () => {
    const empty = { rawBody: '', headers: { 'content-type': 'application/json' } };
    expect((await ctx.call('POST', '/profiles', empty)).status).toBe(201);
    const r = await ctx.call('POST', '/credentials', empty);
    expect(r.status).toBe(422);
    expect(r.json.detail[0].loc).toEqual(['body', 'credentials']);
  });

  it('refuses a wrong content type with 415', async () => {
    const r = await ctx.call('POST', '/credentials', {
      rawBody: 'credentials=A',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(415);
  });

  it('refuses an oversized body with 413 before parsing it', async () => {
    const small = createTestContext({ env: { AIRLOCK_MAX_BODY_BYTES: '2048' } });
    const r = await small.call('POST', '/credentials', {
      body: { credentials: [{ name: 'A_NAME', description: 'x'.repeat(4000) }] },
    });
    expect(r.status).toBe(413);
    expect(r.json.code).toBe('PAYLOAD_TOO_LARGE');
    small.close();
  });

  it('answers validation failures with 422 and FastAPI-style items', async () => {
    const r = await ctx.call('POST', '/credentials', { body: { credentials: [{ name: '1bad' }] } });
    expect(r.status).toBe(422);
    expect(Array.isArray(r.json.detail)).toBe(true);
    expect(r.json.detail[0]).toMatchObject({
      loc: ['body', 'credentials', 0, 'name'],
      input: '1bad',
    });
    expect(typeof r.json.detail[0].msg).toBe('string');
    expect(typeof r.json.detail[0].type).toBe('string');
  });

  it('never echoes a submitted credential value in a validation error', async () => {
    const token = await ctx.adminToken();
    const r = await ctx.call('POST', '/api/admin/credentials', {
      token,
      body: { name: 'OK_NAME', value: 'v'.repeat(70_000) },
    });
    expect(r.status).toBe(422);
    expect(r.text).not.toContain('vvvvvvvvvv');
  });

  it('logs unexpected errors with the request id and answers a generic 500', async () => {
    ctx.app.get('/boom-test', () => {
      throw new Error('internal detail that must not leak');
    });
    const r = await ctx.call('GET', '/boom-test');
    expect(r.status).toBe(500);
    expect(r.json.detail).toBe('Internal server error');
    expect(r.text).not.toContain('internal detail');
    expect(ctx.logger.lines.join('')).toContain(r.json.request_id);
    expect(ctx.logger.lines.join('')).toContain('internal detail');
  });

  it('serves the OpenAPI document', async () => {
    const r = await ctx.call('GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe('3.1.0');
    expect(Object.keys(r.json.paths)).toEqual(
      expect.arrayContaining(['/credentials', '/profiles/{id}', '/api/admin/profiles/{id}/lock']),
    );
  });

  it('marks API answers as not cacheable', async () => {
    const r = await ctx.call('GET', '/health');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
  });
});

describe('logs', () => {
  it('mask stored secrets that slip into a logged error', async () => {
    const lines: string[] = [];
    const { createLogger } = await import('./logger.js');
    const c = createTestContext();
    c.deps.logger = createLogger(
      (l) => lines.push(l),
      (l) => c.deps.executions.redactor().redactString(l).text,
    );
    const token = await c.adminToken();
    await c.call('POST', '/api/admin/credentials', {
      token,
      body: { name: 'LOGGED_KEY', value: 'value-that-must-not-be-logged' },
    });
    const { createApp } = await import('./app.js');
    const app = createApp(c.deps);
    app.get('/boom-secret', () => {
      throw new Error('upstream said: value-that-must-not-be-logged');
    });
    const r = await app.request('/boom-secret');
    expect(r.status).toBe(500);
    const log = lines.join('');
    expect(log).toContain('[REDACTED:LOGGED_KEY]');
    expect(log).not.toContain('value-that-must-not-be-logged');
    c.close();
  });
});
