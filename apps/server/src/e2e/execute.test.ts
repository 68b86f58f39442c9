import { randomBytes } from 'node:crypto';
import { signV1 } from '@airlock/auth';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext } from '../test/harness.js';
import { agent } from './agent.js';

const contexts: ReturnType<typeof createTestContext>[] = [];
function fresh(env: Record<string, string> = {}) {
  const c = createTestContext({ env });
  contexts.push(c);
  return c;
}
afterEach(async () => {
  for (const c of contexts.splice(0)) {
    await c.deps.executions.shutdown();
    c.close();
  }
});

async function setup(
  env: Record<string, string> = {},
  values: Record<string, string> = { API_TOKEN: 'tok-very-secret-12345' },
) {
  const ctx = fresh(env);
  const token = await ctx.adminToken();
  const key = await ctx.lockedProfile(token, values);
  return { ctx, token, key, a: agent(ctx, key) };
}

describe('execution through the real sandbox', () => {
  it('runs a script with settings, set_result and stdout; secrets redacted', async () => {
    const { a } = await setup();
    const res = await a.run(
      [
        "token = settings['API_TOKEN']",
        "print('token is', token)",
        "print('has', 'API_TOKEN' in settings, sorted(settings.keys()), settings.get('NOPE', 'dflt'))",
        "set_result({'length': len(token), 'echo': token, 'nested': [1, {'ok': True}]})",
      ].join('\n'),
    );
    expect(res.status).toBe('completed');
    expect(res.stdout).toContain('token is [REDACTED:API_TOKEN]');
    expect(res.stdout).toContain("has True ['API_TOKEN'] dflt");
    expect(res.stdout).not.toContain('tok-very-secret-12345');
    expect(res.result).toEqual({
      length: 21,
      echo: '[REDACTED:API_TOKEN]',
      nested: [1, { ok: true }],
    });
    expect(res.error).toBeNull();
    expect(res.stderr).toBe('');
    expect(typeof res.execution_time_ms).toBe('number');
    expect(Object.keys(res).sort()).toEqual([
      'error',
      'execution_id',
      'execution_time_ms',
      'network',
      'result',
      'status',
      'stderr',
      'stdout',
    ]);
    // A profile without network: no attempt recorded.
    expect(res.network).toEqual([]);
  });

  it('accepts v1 signatures (existing agents) and returns a poll_url for the instance', async () => {
    const { ctx, key } = await setup();
    const script = "set_result('v1 ok')";
    const r = await ctx.call('POST', '/execute', {
      token: key.keyId,
      body: { script, hash: signV1(key.secret, script) },
    });
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ status: 'pending' });
    expect(r.json.execution_id).toMatch(/^exec_[0-9a-f]{32}$/);
    expect(r.json.poll_url).toBe(`http://localhost/executions/${r.json.execution_id}`);
    const done = await agent(ctx, key).waitFor(r.json.execution_id);
    expect(done.result).toBe('v1 ok');
  });

  it('honours AIRLOCK_PUBLIC_URL in poll_url', async () => {
    const { a } = await setup({ AIRLOCK_PUBLIC_URL: 'https://airlock.example.com/' });
    const r = await a.submit("print('x')");
    expect(r.json.poll_url).toBe(`https://airlock.example.com/executions/${r.json.execution_id}`);
  });

  it('reports an exception with its traceback, secrets redacted', async () => {
    const { a } = await setup();
    const res = await a.run("x = settings['API_TOKEN']\nint(x)");
    expect(res.status).toBe('error');
    expect(res.error).toContain('Traceback');
    expect(res.error).toContain('ValueError');
    expect(res.error).toContain('[REDACTED:API_TOKEN]');
    expect(res.error).not.toContain('tok-very-secret-12345');
    expect(res.result).toBeNull();
  });

  it('times out a script that runs too long', async () => {
    const { a } = await setup();
    const res = await a.run("print('started', flush=True)\nwhile True: pass", { timeout: 1 });
    expect(res.status).toBe('timeout');
    expect(res.error).toMatch(/time/i);
    expect(res.stdout).toContain('started');
  });

  it('stops a memory bomb with a clear error', async () => {
    const { a } = await setup({ AIRLOCK_MEMORY_MB: '256' });
    const res = await a.run("x = []\nwhile True: x.append(b'x' * 10_000_000)", { timeout: 20 });
    expect(res.status).toBe('error');
    expect(res.error).toMatch(/memory/i);
  });

  it('pauses for llm.complete twice and resumes with each answer', async () => {
    const { ctx, a } = await setup();
    const sub = await a.submit(
      [
        "first = llm.complete('Summarise the token ' + settings['API_TOKEN'])",
        "second = llm.complete('And now?', model='fast')",
        'set_result([first, second])',
      ].join('\n'),
    );
    const id = sub.json.execution_id;
    const p1 = await a.waitFor(id, ['awaiting_llm']);
    expect(p1).toEqual({
      execution_id: id,
      status: 'awaiting_llm',
      llm_request: { prompt: 'Summarise the token [REDACTED:API_TOKEN]', model: 'default' },
      prompt: 'Summarise the token [REDACTED:API_TOKEN]',
    });
    const wrong = await ctx.call('POST', `/executions/${id}/respond`, { body: { response: 42 } });
    expect(wrong.status).toBe(422);
    const r1 = await ctx.call('POST', `/executions/${id}/respond`, {
      body: { response: 'answer one' },
    });
    expect(r1.status).toBe(200);
    expect(r1.json).toEqual({ execution_id: id, status: 'running' });
    const p2 = await a.waitFor(id, ['awaiting_llm']);
    // A long-poll on an execution already waiting for its answer is not held (the agent has work
    // to do): it answers before its 30 s wait, not after it.
    const t0 = Date.now();
    expect((await ctx.call('GET', `/executions/${id}?wait=30`)).json.status).toBe('awaiting_llm');
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(p2.llm_request).toEqual({ prompt: 'And now?', model: 'fast' });
    await ctx.call('POST', `/executions/${id}/respond`, { body: { response: 'answer two' } });
    const done = await a.waitFor(id);
    expect(done.status).toBe('completed');
    expect(done.result).toEqual(['answer one', 'answer two']);
    const late = await ctx.call('POST', `/executions/${id}/respond`, {
      body: { response: 'late' },
    });
    expect(late.status).toBe(409);
    expect(late.json.detail).toBe("Execution is 'completed', not 'awaiting_llm'");
  });

  it('ends an execution whose LLM answer does not come within the limit', async () => {
    const { a } = await setup({ AIRLOCK_LLM_WAIT_LIMIT: '1' });
    const res = await a.run("llm.complete('anyone?')\nset_result('unreachable')");
    expect(res.status).toBe('error');
    expect(res.error).toMatch(/llm|answer|wait/i);
  });

  it('answers 404 for an unknown execution and for respond on one', async () => {
    const { ctx } = await setup();
    const id = `exec_${randomBytes(16).toString('hex')}`;
    expect((await ctx.call('GET', `/executions/${id}`)).json.detail).toBe(
      `Execution '${id}' not found`,
    );
    expect(
      (await ctx.call('POST', `/executions/${id}/respond`, { body: { response: 'x' } })).status,
    ).toBe(404);
    expect((await ctx.call('GET', '/executions/not-an-id')).status).toBe(404);
  });
});

describe('signatures, replay and idempotency', () => {
  it('returns the original execution for a retried v2 request and runs it once', async () => {
    const { ctx, a } = await setup();
    const nonce = randomBytes(16).toString('hex');
    const script = "import time\nprint('ran once')";
    const first = await a.submit(script, { nonce });
    expect(first.status).toBe(202);
    const retry = await a.submit(script, { nonce });
    expect(retry.status).toBe(200);
    expect(retry.json.execution_id).toBe(first.json.execution_id);
    await a.waitFor(first.json.execution_id);
    const count = ctx.sqlite.prepare('SELECT count(*) AS n FROM executions').get() as { n: number };
    expect(count.n).toBe(1);
  });

  it('refuses a replay outside the window, and a nonce reused for another script', async () => {
    const { ctx, a } = await setup();
    const nonce = randomBytes(16).toString('hex');
    const ts = Math.floor(ctx.clock().getTime() / 1000);
    expect((await a.submit("print('a')", { nonce, timestamp: ts })).status).toBe(202);
    const other = await a.submit("print('b')", { nonce, timestamp: ts });
    expect(other.status).toBe(409);
    ctx.clock.advance(301_000);
    const replay = await a.submit("print('a')", { nonce, timestamp: ts });
    expect(replay.status).toBe(403);
    expect(replay.json.detail).toMatch(/300 seconds/);
  });

  it('accepts ±299 s and refuses ±301 s of clock skew', async () => {
    const { ctx, a } = await setup();
    const now = Math.floor(ctx.clock().getTime() / 1000);
    for (const skew of [-299, 299])
      expect((await a.submit('print(1)', { timestamp: now + skew })).status).toBe(202);
    for (const skew of [-301, 301])
      expect((await a.submit('print(1)', { timestamp: now + skew })).status).toBe(403);
  });

  it('refuses v1 when the profile requires replay protection', async () => {
    const { ctx, token, key, a } = await setup();
    await ctx.call('PUT', `/api/admin/profiles/${key.profileId}`, {
      token,
      body: { require_signature_v2: true },
    });
    const v1 = await a.submit("print('x')", { version: 1 });
    expect(v1.status).toBe(403);
    expect(v1.json.detail).toMatch(/version 2/);
    expect((await a.submit("print('x')", { version: 2 })).status).toBe(202);
  });

  it('checks in the contract order with the contract messages', async () => {
    const { ctx, token, key } = await setup();
    const script = "print('x')";
    const hash = signV1(key.secret, script);
    const post = (headers: Record<string, string>, body: unknown) =>
      ctx.call('POST', '/execute', { headers, body });
    expect((await post({}, { script, hash })).json.detail).toBe('Missing authentication token');
    expect((await post({ authorization: 'Bearer sk_nope' }, { script, hash })).json.detail).toBe(
      'Invalid authentication token',
    );
    expect(
      (await post({ authorization: 'Bearer ark_aaaaaaaaaaaaaaaaaaaaaaaa' }, { script, hash })).json
        .detail,
    ).toBe('Invalid profile key');
    // Authentication before validation: a bad body without a key is still a 401.
    expect((await post({}, { nope: 1 })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${key.keyId}` }, { script })).status).toBe(422);
    expect(
      (await post({ authorization: `Bearer ${key.keyId}` }, { script, hash, timeout: 0 })).status,
    ).toBe(422);
    expect(
      (await post({ authorization: `Bearer ${key.keyId}` }, { script, hash, timeout: 100_000 }))
        .status,
    ).toBe(422);
    for (const bad of [
      hash.toUpperCase(),
      hash.slice(2),
      'zz'.repeat(32),
      'é'.repeat(64),
      // The last character changed (always to another one: the hash is random).
      `${hash.slice(0, -1)}${hash.endsWith('0') ? '1' : '0'}`,
    ]) {
      const r = await post({ authorization: `Bearer ${key.keyId}` }, { script, hash: bad });
      expect(r.status).toBe(403);
      expect(r.json.detail).toBe('Script hash verification failed — HMAC mismatch');
    }
    await ctx.call('PUT', `/api/admin/profiles/${key.profileId}`, {
      token,
      body: { expires_at: '2020-01-01T00:00:00Z' },
    });
    expect(
      (await post({ authorization: `Bearer ${key.keyId}` }, { script, hash })).json.detail,
    ).toBe('Profile has expired');
    await ctx.call('POST', `/api/admin/profiles/${key.profileId}/revoke`, { token });
    expect(
      (await post({ authorization: `Bearer ${key.keyId}` }, { script, hash })).json.detail,
    ).toBe('Profile has been revoked');
    expect(ctx.sqlite.prepare('SELECT count(*) AS n FROM executions').get()).toEqual({ n: 0 });
  });

  it('refuses with 429 and Retry-After when the queue is full, storing nothing', async () => {
    const { ctx, a } = await setup({ AIRLOCK_CONCURRENCY: '1', AIRLOCK_QUEUE_SIZE: '1' });
    // Busy, not asleep: a sleeping run gives its slot up (it computes nothing).
    const slow = 'while True: pass';
    expect((await a.submit(slow, { timeout: 3 })).status).toBe(202);
    expect((await a.submit(slow, { timeout: 3 })).status).toBe(202);
    const full = await a.submit(slow, { timeout: 3 });
    expect(full.status).toBe(429);
    expect(Number(full.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(ctx.sqlite.prepare('SELECT count(*) AS n FROM executions').get()).toEqual({ n: 2 });
  });
});

describe('execution history', () => {
  it('lists the profile’s executions newest first; the admin sees script, counts and LLM exchanges', async () => {
    const { ctx, token, key, a } = await setup();
    await a.run("print('one')");
    ctx.clock.advance(1000);
    const sub = await a.submit("a = llm.complete('q?')\nprint(settings['API_TOKEN'], a)");
    await a.waitFor(sub.json.execution_id, ['awaiting_llm']);
    await ctx.call('POST', `/executions/${sub.json.execution_id}/respond`, {
      body: { response: 'yes' },
    });
    await a.waitFor(sub.json.execution_id);
    const mine = await ctx.signed('GET', '/executions', key);
    expect(mine.status).toBe(200);
    expect(mine.json.executions.map((e: { status: string }) => e.status)).toEqual([
      'completed',
      'completed',
    ]);
    expect(mine.json.executions[0].execution_id).toBe(sub.json.execution_id);
    expect((await ctx.call('GET', '/executions')).status).toBe(401);
    // A bare key id (public: GET /profiles lists it) is not enough.
    expect((await ctx.call('GET', '/executions', { token: key.keyId })).status).toBe(401);
    const detail = await ctx.call('GET', `/api/admin/executions/${sub.json.execution_id}`, {
      token,
    });
    expect(detail.json.script).toContain("llm.complete('q?')");
    expect(detail.json.redaction_counts).toEqual({ API_TOKEN: 1 });
    expect(detail.json.llm_exchanges).toMatchObject([
      { seq: 1, prompt: 'q?', model: 'default', response: 'yes' },
    ]);
    const list = await ctx.call(
      'GET',
      `/api/admin/executions?profile_id=${key.profileId}&status=completed`,
      { token },
    );
    expect(list.json.total).toBe(2);
    const stats = await ctx.call('GET', '/api/admin/stats', { token });
    expect(stats.json.executions.by_status.completed).toBe(2);
    expect(stats.json.profiles.locked).toBe(1);
  });

  it('lets the admin cancel a running execution', async () => {
    const { ctx, token, a } = await setup();
    const sub = await a.submit("import time\nprint('sleeping', flush=True)\ntime.sleep(60)");
    await a.waitFor(sub.json.execution_id, ['running']);
    const r = await ctx.call('POST', `/api/admin/executions/${sub.json.execution_id}/cancel`, {
      token,
    });
    expect(r.status).toBe(200);
    const done = await a.waitFor(sub.json.execution_id);
    expect(done.status).toBe('error');
    expect(done.error).toBe('cancelled by the admin');
    expect(
      (await ctx.call('POST', `/api/admin/executions/${sub.json.execution_id}/cancel`, { token }))
        .status,
    ).toBe(409);
  });
});
