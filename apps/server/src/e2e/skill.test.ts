import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../lib/time.js';
import { createTestContext, TEST_BACKEND } from '../test/harness.js';
import { listen } from '../test/serve.js';

/**
 * The seed's agent flow, as an agent would live it: read `GET /skill.md`, take its copy-paste
 * examples as they are, and run them against the real server and sandbox.
 */
// Asynchronous on purpose: the server under test runs in this process, so a blocking spawn would
// stop it from answering the very requests the example sends.
const run = promisify(execFile);

const ctx = createTestContext();
// Signatures are checked against the wall clock here: python and curl sign with the real time.
ctx.deps.clock = systemClock;
let server: Awaited<ReturnType<typeof listen>>;
let key: Awaited<ReturnType<typeof ctx.lockedProfile>>;

beforeAll(async () => {
  const token = await ctx.adminToken();
  await ctx.call('POST', '/credentials', {
    body: { credentials: [{ name: 'WAITING_SLOT', description: 'not attached' }] },
  });
  key = await ctx.lockedProfile(token, { REPORT_TOKEN: 'report-secret-value-42' });
  const draft = (await ctx.call('POST', '/profiles', { body: { description: 'with network' } }))
    .json.id as string;
  await ctx.call('PUT', `/profiles/${draft}/network`, {
    body: { mode: 'allowlist', allow: ['api.stripe.com', '10.0.0.5:5432'] },
  });
  await ctx.call('PUT', `/api/admin/credentials/REPORT_TOKEN`, {
    token,
    body: { description: 'reporting API token' },
  });
  server = await listen(ctx.app);
});
afterAll(async () => {
  await server.close();
  await ctx.deps.executions.shutdown();
  ctx.close();
});

function codeBlock(markdown: string, lang: string, mustContain: string): string {
  const re = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g');
  for (const m of markdown.matchAll(re)) if (m[1]?.includes(mustContain)) return m[1];
  throw new Error(`no ${lang} block with ${mustContain}`);
}

describe('GET /skill.md', () => {
  it('is Markdown generated live: instance URL, profiles, credential names with value flags, never values', async () => {
    const res = await fetch(`${server.url}/skill.md`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    const md = await res.text();
    expect(md).toContain(`Instance: **${server.url}**`);
    expect(md).toContain(key.profileId);
    expect(md).toContain(key.keyId);
    expect(md).toContain('`REPORT_TOKEN` — reporting API token (value set)');
    expect(md).toContain('`WAITING_SLOT` (no value yet)');
    expect(md).toContain('- network: none (scripts reach no host)');
    expect(md).toContain('- network: only `api.stripe.com`, `10.0.0.5:5432`');
    expect(md).toContain('Script hash verification failed — HMAC mismatch');
    expect(md).not.toContain('report-secret-value-42');
    expect(md).not.toContain(key.secret);
  });

  it('its Python example runs as written, end to end', async () => {
    const md = await (await fetch(`${server.url}/skill.md`)).text();
    const example = codeBlock(md, 'python', 'def execute').replace(
      `execute("print('hello from Airlock'); set_result(sorted(settings.keys()))")`,
      `execute("print('hello from Airlock', settings['REPORT_TOKEN']); set_result(sorted(settings.keys()))")`,
    );
    const r = await run('/usr/bin/python3', ['-I', '-c', example], {
      env: { AIRLOCK_KEY: key.key, PATH: '/usr/bin:/bin' },
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain("'status': 'completed'");
    expect(r.stdout).toContain('hello from Airlock [REDACTED:REPORT_TOKEN]');
    expect(r.stdout).toContain("'result': ['REPORT_TOKEN']");
    expect(r.stdout).not.toContain('report-secret-value-42');
    // Its signed request lists the execution it just ran.
    expect(r.stdout).toMatch(
      /\{'executions': \[\{'execution_id': 'exec_[0-9a-f]+', 'status': 'completed'/,
    );
  });

  it('its curl signed-request example lists the executions as written', async () => {
    const md = await (await fetch(`${server.url}/skill.md`)).text();
    const example = codeBlock(md, 'bash', 'X-Airlock-Signature');
    const r = await run('/bin/bash', ['-c', example], {
      env: { AIRLOCK_KEY: key.key, PATH: '/usr/bin:/bin' },
      timeout: 30_000,
    });
    const listed = JSON.parse(r.stdout) as { executions: { execution_id: string }[] };
    expect(Array.isArray(listed.executions)).toBe(true);
    expect(listed.executions.length).toBeGreaterThan(0);
  });

  it('its curl example is accepted as written (version 2 signature)', async () => {
    const md = await (await fetch(`${server.url}/skill.md`)).text();
    const example = codeBlock(md, 'bash', 'curl -s -X POST');
    const r = await run('/bin/bash', ['-c', example], {
      env: { AIRLOCK_KEY: key.key, PATH: '/usr/bin:/bin' },
      timeout: 30_000,
    });
    const accepted = JSON.parse(r.stdout) as {
      execution_id: string;
      status: string;
      poll_url: string;
    };
    expect(accepted.status).toBe('pending');
    type Poll = { status: string; result?: unknown; stdout?: string };
    let final = (await (await fetch(accepted.poll_url)).json()) as Poll;
    for (let i = 0; i < 5 && !['completed', 'error', 'timeout'].includes(final.status); i++) {
      final = (await (await fetch(`${accepted.poll_url}?wait=30`)).json()) as Poll;
    }
    expect(final).toMatchObject({ status: 'completed', result: 2, stdout: 'hello\n' });
  });
});

describe('GET /health', () => {
  it('reports the sandbox backend in use and that it works', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { queue: { concurrency: number } };
    expect(body).toMatchObject({
      status: 'ok',
      sandbox: { backend: TEST_BACKEND, ok: true, unconfined: false },
    });
    expect(body.queue.concurrency).toBe(2);
  });
});
