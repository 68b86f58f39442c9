import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { FetchLike } from './client.js';
import { createAirlockMcpServer } from './mcp.js';
import { type Call, fakeServer, type Reply } from './test/fake-server.js';

/**
 * The MCP server in process, against a scripted Airlock (`fakeServer`), through the SDK client
 * on an in-memory transport: the paths a real server rarely takes (a 202 after the wait, a
 * secret in a server's answer, an unreachable server). `mcp.e2e.test.ts` runs the real thing.
 */
const SECRET = 'Zx9'.repeat(16);
const KEY_ID = `ark_${'m'.repeat(24)}`;
const ID = `exec_${'a'.repeat(32)}`;
const PROFILE_ID = '0b4c7f5e-0000-4000-8000-000000000001';

let open: Client[] = [];
afterEach(async () => {
  await Promise.all(open.map((c) => c.close()));
  open = [];
});

async function connected(
  routes: Record<string, Reply[]>,
  options: { fetch?: FetchLike; realSleep?: boolean } = {},
) {
  const server = fakeServer(routes);
  const log: string[] = [];
  const mcp = createAirlockMcpServer({
    url: 'http://airlock.test',
    key: { keyId: KEY_ID, secret: SECRET },
    version: '9.9.9',
    log: (t) => log.push(t),
    fetch: options.fetch ?? server.fetch,
    ...(options.realSleep ? {} : { sleep: async () => {} }),
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await mcp.connect(serverSide);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(clientSide);
  open.push(client);
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const r = (await client.callTool({ name, arguments: args })) as {
      isError?: boolean;
      content: { text?: string }[];
      // biome-ignore lint/suspicious/noExplicitAny: tests read structured content loosely
      structuredContent?: any;
    };
    return { ...r, text: r.content.map((c) => c.text ?? '').join('') };
  };
  return { client, call, calls: server.calls, log };
}

const accepted: Reply = {
  status: 202,
  body: { execution_id: ID, poll_url: `http://airlock.test/executions/${ID}`, status: 'running' },
};
const completed = (over: Record<string, unknown> = {}): Reply => ({
  status: 200,
  body: {
    execution_id: ID,
    status: 'completed',
    result: { ok: 1 },
    stdout: 'out\n',
    stderr: '',
    error: null,
    execution_time_ms: 7,
    network: [],
    ...over,
  },
});
const paths = (calls: Call[]) => calls.map((c) => `${c.method} ${c.path}`);

describe('airlock mcp tools (in process)', () => {
  it('submits with ?wait=60 signed v2, then long-polls after a 202 until settled', async () => {
    const t = await connected({
      'POST /execute': [accepted],
      [`GET /executions/${ID}`]: [
        { status: 200, body: { execution_id: ID, status: 'running' } },
        completed(),
      ],
    });
    const r = await t.call('run_python', { script: 'print("out")', timeout: 9 });
    expect(r.isError).toBeFalsy();
    expect(paths(t.calls)).toEqual([
      'POST /execute?wait=60',
      `GET /executions/${ID}?wait=0`,
      `GET /executions/${ID}?wait=1`,
    ]);
    const submit = t.calls[0] as Call;
    expect(submit.headers.authorization).toBe(`Bearer ${KEY_ID}`);
    expect(submit.headers['X-Airlock-Nonce']).toMatch(/^[0-9a-f]{32}$/);
    expect(submit.headers['X-Airlock-Timestamp']).toMatch(/^\d+$/);
    expect(submit.body).toMatchObject({ script: 'print("out")', timeout: 9 });
    expect(r.structuredContent).toEqual({
      execution_id: ID,
      status: 'completed',
      stdout: 'out\n',
      stderr: '',
      result: { ok: 1 },
      error: null,
      network: [],
      execution_time_ms: 7,
      llm_request: null,
    });
    expect(r.text).toBe(
      `Execution ${ID} completed in 7 ms.\n--- stdout ---\nout\n--- result ---\n{\n  "ok": 1\n}\n`,
    );
    expect(JSON.stringify(t.calls)).not.toContain(SECRET);
  });

  it('masks the key secret in text, structured content and errors, whatever carries it', async () => {
    const leaky = await connected({
      'POST /execute': [
        completed({ stdout: `echo ${SECRET}\n`, result: { [SECRET]: [SECRET] }, error: SECRET }),
      ],
    });
    const r = await leaky.call('run_python', { script: 'x' });
    expect(r.structuredContent).toMatchObject({
      stdout: 'echo ****\n',
      result: { '****': ['****'] },
      error: '****',
    });
    expect(r.text).toContain('echo ****');
    expect(JSON.stringify(r)).not.toContain(SECRET);

    const refusing = await connected({
      'POST /execute': [{ status: 403, body: { detail: `bad ${KEY_ID}:${SECRET}` } }],
    });
    const e = await refusing.call('run_python', { script: 'x' });
    expect(e.isError).toBe(true);
    expect(e.text).toBe('airlock: POST /execute failed: HTTP 403 bad ****');
  });

  it('renders a pause with the prompt and how to answer; answer_llm posts and waits again', async () => {
    const t = await connected({
      'POST /execute': [
        {
          status: 200,
          body: {
            execution_id: ID,
            status: 'awaiting_llm',
            llm_request: { prompt: 'Say yes', model: 'm1' },
            prompt: 'Say yes',
          },
        },
      ],
      [`POST /executions/${ID}/respond`]: [
        { status: 200, body: { execution_id: ID, status: 'running' } },
      ],
      [`GET /executions/${ID}`]: [completed({ result: 'yes' })],
    });
    const paused = await t.call('run_python', { script: 'llm.complete("Say yes")' });
    expect(paths(t.calls)).toEqual(['POST /execute?wait=60']);
    expect(paused.structuredContent).toMatchObject({
      status: 'awaiting_llm',
      llm_request: { prompt: 'Say yes', model: 'm1' },
      stdout: '',
      network: [],
    });
    expect(paused.text).toContain(`Execution ${ID} is paused in llm.complete (model "m1")`);
    expect(paused.text).toContain('--- prompt ---\nSay yes\n');
    expect(paused.text).toContain(`answer_llm tool: {"execution_id": "${ID}"`);

    const r = await t.call('answer_llm', { execution_id: ID, text: 'yes' });
    expect(r.structuredContent).toMatchObject({ status: 'completed', result: 'yes' });
    expect(t.calls[1]).toMatchObject({
      path: `/executions/${ID}/respond`,
      body: { response: 'yes' },
    });
  });

  it('an unreachable server is a tool error, after the same-nonce retries', async () => {
    const t = await connected({ 'POST /execute': ['network-error'] });
    const r = await t.call('run_python', { script: 'x' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/^airlock: cannot reach http:\/\/airlock\.test: socket ECONNRESET/);
    const nonces = new Set(t.calls.map((c) => c.headers['X-Airlock-Nonce']));
    expect(t.calls).toHaveLength(4);
    expect(nonces.size).toBe(1);
    expect(t.log.join('')).toMatch(/retrying with the same nonce/);
  });

  it('describe_profile proves the key, then finds its profile and its packages', async () => {
    const profile = {
      id: PROFILE_ID,
      description: 'p',
      locked: true,
      key_id: KEY_ID,
      credentials: [
        { name: 'A', description: '', value_exists: false, delivery: { mode: 'inject' } },
      ],
      network: { mode: 'none', allow: [] },
      expires_at: null,
      expired: false,
      revoked: false,
      created_at: 'x',
      updated_at: 'x',
    };
    const pkg = (scope: string) => ({
      name: `p-${scope.slice(0, 6)}`,
      spec: 's',
      version: '1',
      scope,
      installed_at: 'x',
    });
    const t = await connected({
      'GET /executions': [{ status: 200, body: { executions: [] } }],
      'GET /profiles': [
        { status: 200, body: { profiles: [{ ...profile, id: 'other', key_id: null }, profile] } },
      ],
      'GET /requirements': [
        { status: 200, body: { packages: [pkg('shared'), pkg('someone-else'), pkg(PROFILE_ID)] } },
      ],
    });
    const r = await t.call('describe_profile');
    expect(r.isError, r.text).toBeFalsy();
    expect((t.calls[0] as Call).path).toBe('/executions?limit=1');
    expect((t.calls[0] as Call).headers['X-Airlock-Signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(r.structuredContent.profile.id).toBe(PROFILE_ID);
    expect(r.structuredContent.packages.map((p: { scope: string }) => p.scope)).toEqual([
      'shared',
      PROFILE_ID,
    ]);
    expect(r.text).toContain('- A: injected: settings["A"] is the value');
    expect(r.text).toContain('[no value set yet]');
    expect(r.text).toContain('Network: none: scripts have no network at all');

    const orphan = await connected({
      'GET /executions': [{ status: 200, body: { executions: [] } }],
      'GET /profiles': [{ status: 200, body: { profiles: [] } }],
      'GET /requirements': [{ status: 200, body: { packages: [] } }],
    });
    const e = await orphan.call('describe_profile');
    expect(e.isError).toBe(true);
    expect(e.text).toBe(`airlock: no profile has the key id ${KEY_ID}`);
  });

  it('install_packages signs the exact body it sends', async () => {
    const t = await connected({
      'POST /requirements': [{ status: 422, body: { detail: 'pip said no' } }],
    });
    const r = await t.call('install_packages', { packages: ['httpx'] });
    expect(r.isError).toBe(true);
    expect(r.text).toBe('airlock: POST /requirements failed: HTTP 422 pip said no');
    const sent = t.calls[0] as Call;
    expect(sent.body).toEqual({ packages: ['httpx'] });
    expect(sent.headers.authorization).toBe(`Bearer ${KEY_ID}`);
    expect(Object.keys(sent.headers)).toEqual(
      expect.arrayContaining(['X-Airlock-Timestamp', 'X-Airlock-Nonce', 'X-Airlock-Signature']),
    );
  });

  it('stops waiting when the client cancels the call', async () => {
    const polls: string[] = [];
    // Submits are accepted; each poll answers `running` after 200 ms unless it is aborted.
    const slow: FetchLike = async (input, init) => {
      if (init?.method === 'POST') {
        return new Response(JSON.stringify((accepted as { body: unknown }).body), { status: 202 });
      }
      polls.push(input);
      return new Promise((resolve, reject) => {
        const running = JSON.stringify({ execution_id: ID, status: 'running' });
        const timer = setTimeout(() => resolve(new Response(running)), 200);
        init?.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('aborted'));
        });
      });
    };
    const t = await connected({}, { fetch: slow, realSleep: true });
    const cancel = new AbortController();
    const call = t.client.callTool(
      { name: 'run_python', arguments: { script: 'x' } },
      { signal: cancel.signal },
    );
    await expect.poll(() => polls.length).toBe(1);
    cancel.abort();
    await expect(call).rejects.toThrow();
    // Uncancelled, polls would follow every 200 ms (or a retry a second after an abort).
    await new Promise((r) => setTimeout(r, 1500));
    expect(polls).toHaveLength(1);
  });

  it('serves /skill.md as the airlock://skill.md resource', async () => {
    const t = await connected({ 'GET /skill.md': [{ status: 200, body: '# Airlock\nhello\n' }] });
    const r = await t.client.readResource({ uri: 'airlock://skill.md' });
    expect(r.contents).toEqual([
      { uri: 'airlock://skill.md', mimeType: 'text/markdown', text: '# Airlock\nhello\n' },
    ]);
  });
});
