import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWheel } from '../../server/src/test/wheels.js';
import { CLI_DIR, CLI_MAIN, startTestServer, type TestServer } from './test/server.js';

/**
 * `airlock mcp` as an agent's MCP client meets it: the SDK's own client spawns `airlock mcp`
 * over stdio (StdioClientTransport) against a REAL server process with a real sandbox, and calls
 * its tools. Every tool result and every line the server process writes to stderr is kept, to
 * check at the end that the key secret never left.
 */
const INJECTED = 'MCP_TOKEN';
const INJECTED_VALUE = 'mcp-e2e-credential-value-4c3b2a';
const BROKERED = 'MCP_BROKERED';
const BROKERED_HOST = 'api.example.com';
const WHEEL = { name: 'airlock-mcp-demo', version: '1.2.3', value: 'hello from the mcp wheel' };

let server: TestServer;
let profileId = '';
let keyId = '';
let secret = '';
/** Everything any `airlock mcp` process sent back: tool results, resources, stderr. */
const seen: string[] = [];

interface Connected {
  client: Client;
  stderr: () => string;
}

/** Spawns `airlock mcp` with this key and connects the SDK client to it over stdio. */
async function connect(key: string, mode: 'legacy' | 'auto' = 'legacy'): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--conditions=@airlock/source', '--import', 'tsx', CLI_MAIN, 'mcp'],
    cwd: CLI_DIR,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AIRLOCK_URL: server.base, AIRLOCK_KEY: key },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    seen.push(d.toString());
  });
  const client = new Client(
    { name: 'airlock-e2e', version: '1.0.0' },
    { versionNegotiation: { mode } },
  );
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  // biome-ignore lint/suspicious/noExplicitAny: tests read structured content loosely
  structuredContent?: any;
}

async function call(c: Client, name: string, args: Record<string, unknown> = {}) {
  const r = (await c.callTool({ name, arguments: args })) as ToolResult;
  seen.push(JSON.stringify(r));
  const text = r.content.map((b) => b.text ?? '').join('');
  return { ...r, text };
}

let agent: Connected;

beforeAll(async () => {
  server = await startTestServer('airlock-mcp-e2e-', {
    env: (root) => {
      const wheels = join(root, 'wheels');
      mkdirSync(wheels, { mode: 0o755 });
      // A local package source: these machines cannot reach PyPI.
      buildWheel(wheels, WHEEL.name, WHEEL.version, WHEEL.value);
      return { AIRLOCK_PIP_FIND_LINKS: wheels, AIRLOCK_PIP_NO_INDEX: '1' };
    },
  });
  const admin = await server.admin();
  for (const body of [
    { name: INJECTED, value: INJECTED_VALUE, description: 'an API token' },
    {
      name: BROKERED,
      value: 'brokered-value-never-in-the-sandbox',
      description: 'a brokered token',
      delivery: { mode: 'broker', hosts: [BROKERED_HOST] },
    },
  ]) {
    const cred = await server.api('POST', '/api/admin/credentials', body, admin);
    expect(cred.status, JSON.stringify(cred.json)).toBeLessThan(300);
  }
  const profile = await server.api('POST', '/profiles', { description: 'mcp e2e' });
  expect(profile.status).toBe(201);
  profileId = profile.json.id as string;
  const attach = await server.api('POST', `/profiles/${profileId}/credentials`, {
    credentials: [INJECTED, BROKERED],
  });
  expect(attach.status, JSON.stringify(attach.json)).toBe(200);
  // Proposed before the lock, frozen by it: only the brokered credential's host.
  const network = await server.api('PUT', `/profiles/${profileId}/network`, {
    mode: 'allowlist',
    allow: [BROKERED_HOST],
  });
  expect(network.status, JSON.stringify(network.json)).toBe(200);
  const lock = await server.api(
    'POST',
    `/api/admin/profiles/${profileId}/lock`,
    { credentials: [INJECTED, BROKERED] },
    admin,
  );
  expect(lock.status, JSON.stringify(lock.json)).toBe(200);
  const key = lock.json.key as string;
  keyId = key.slice(0, key.indexOf(':'));
  secret = key.slice(key.indexOf(':') + 1);
  agent = await connect(key);
});

afterAll(async () => {
  await agent?.client.close();
  server?.stop();
});

describe('airlock mcp, spawned over stdio by the SDK client', () => {
  it('lists its four tools with input and output schemas, and the skill resource', async () => {
    const { tools } = await agent.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'answer_llm',
      'describe_profile',
      'install_packages',
      'run_python',
    ]);
    const run = tools.find((t) => t.name === 'run_python');
    expect(run?.inputSchema).toMatchObject({
      type: 'object',
      properties: { script: { type: 'string' }, timeout: { type: 'integer' } },
      required: ['script'],
    });
    expect(run?.outputSchema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['execution_id', 'status', 'stdout', 'network']),
    });
    for (const t of tools) expect(t.outputSchema, t.name).toBeDefined();

    const { resources } = await agent.client.listResources();
    expect(resources).toEqual([
      expect.objectContaining({ uri: 'airlock://skill.md', mimeType: 'text/markdown' }),
    ]);
    const skill = await agent.client.readResource({ uri: 'airlock://skill.md' });
    const text = (skill.contents[0] as { text: string }).text;
    seen.push(text);
    // Live from this instance: its own URL and this profile are in it.
    expect(text).toContain(server.base);
    expect(text).toContain(profileId);
    expect(text).toContain('llm.complete');
  });

  it('runs a script: the credential is redacted, the result structured', async () => {
    const r = await call(agent.client, 'run_python', {
      script: `print("token is", settings["${INJECTED}"])\nset_result({"names": sorted(settings.keys())})\n`,
    });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({
      status: 'completed',
      stdout: `token is [REDACTED:${INJECTED}]\n`,
      stderr: '',
      result: { names: [BROKERED, INJECTED] },
      error: null,
      network: [],
      llm_request: null,
    });
    expect(r.structuredContent.execution_id).toMatch(/^exec_[0-9a-f]{32,}$/);
    expect(r.text).toContain(`token is [REDACTED:${INJECTED}]`);
    expect(r.text).toMatch(/^Execution exec_[0-9a-f]+ completed in \d+ ms\./);
    expect(JSON.stringify(r)).not.toContain(INJECTED_VALUE);
  });

  it('pauses in llm.complete and resumes through answer_llm, twice', async () => {
    const first = await call(agent.client, 'run_python', {
      script:
        'a = llm.complete("What is the capital of France?", model="tiny")\n' +
        'b = llm.complete("And of Italy?")\n' +
        'set_result([a, b])\n',
    });
    expect(first.isError).toBeFalsy();
    const id = first.structuredContent.execution_id as string;
    expect(first.structuredContent).toMatchObject({
      status: 'awaiting_llm',
      llm_request: { prompt: 'What is the capital of France?', model: 'tiny' },
    });
    expect(first.text).toContain('What is the capital of France?');
    expect(first.text).toContain(`answer_llm tool: {"execution_id": "${id}"`);

    const second = await call(agent.client, 'answer_llm', { execution_id: id, text: 'Paris' });
    expect(second.isError).toBeFalsy();
    expect(second.structuredContent).toMatchObject({
      execution_id: id,
      status: 'awaiting_llm',
      llm_request: { prompt: 'And of Italy?', model: 'default' },
    });

    const done = await call(agent.client, 'answer_llm', { execution_id: id, text: 'Rome' });
    expect(done.structuredContent).toMatchObject({
      execution_id: id,
      status: 'completed',
      result: ['Paris', 'Rome'],
      llm_request: null,
    });

    // Answering a run that no longer waits is the server's 409, as a tool error.
    const late = await call(agent.client, 'answer_llm', { execution_id: id, text: 'again' });
    expect(late.isError).toBe(true);
    expect(late.text).toContain("HTTP 409 Execution is 'completed', not 'awaiting_llm'");
  });

  it('shows a denied connection in the network log', async () => {
    const r = await call(agent.client, 'run_python', {
      script: [
        'import urllib.request, urllib.error',
        'try:',
        '    urllib.request.urlopen("http://api.not-listed.test/", timeout=10)',
        '    set_result("reached")',
        'except urllib.error.HTTPError as e:',
        '    set_result("%d %s" % (e.code, e.reason))',
      ].join('\n'),
    });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent.status).toBe('completed');
    expect(r.structuredContent.result).toBe(
      '403 Airlock egress denied: host is not in the allowlist',
    );
    expect(r.structuredContent.network).toEqual([
      {
        host: 'api.not-listed.test',
        port: 80,
        verdict: 'denied',
        reason: 'host is not in the allowlist',
      },
    ]);
    expect(r.text).toContain('denied api.not-listed.test:80 (host is not in the allowlist)');
  });

  it('describes the profile: credentials with their delivery, network, packages', async () => {
    const r = await call(agent.client, 'describe_profile');
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toEqual({
      profile: {
        id: profileId,
        description: 'mcp e2e',
        key_id: keyId,
        locked: true,
        revoked: false,
        expired: false,
        expires_at: null,
      },
      credentials: [
        {
          name: BROKERED,
          description: 'a brokered token',
          value_exists: true,
          delivery: { mode: 'broker', hosts: [BROKERED_HOST] },
        },
        {
          name: INJECTED,
          description: 'an API token',
          value_exists: true,
          delivery: { mode: 'inject' },
        },
      ],
      network: { mode: 'allowlist', allow: [BROKERED_HOST] },
      packages: [],
    });
    expect(r.text).toContain(`- ${BROKERED} (a brokered token): brokered to ${BROKERED_HOST}`);
    expect(r.text).toContain(`Network: allowlist: only ${BROKERED_HOST}`);
  });

  it('installs a package with a signed request; scripts import it; a bad spec is refused', async () => {
    const spec = `${WHEEL.name}==${WHEEL.version}`;
    const r = await call(agent.client, 'install_packages', { packages: [spec] });
    expect(r.isError, r.text).toBeFalsy();
    expect(r.structuredContent).toEqual({
      installed: [{ name: WHEEL.name, version: WHEEL.version }],
      packages: [{ name: WHEEL.name, spec, version: WHEEL.version, scope: profileId }],
    });
    const run = await call(agent.client, 'run_python', {
      script: 'import airlock_mcp_demo\nset_result(airlock_mcp_demo.VALUE)\n',
    });
    expect(run.structuredContent).toMatchObject({ status: 'completed', result: WHEEL.value });
    const described = await call(agent.client, 'describe_profile');
    expect(described.structuredContent.packages).toEqual([
      { name: WHEEL.name, spec, version: WHEEL.version, scope: profileId },
    ]);

    // Past the signature check (a wrong one is a 401/403): the server's own validation, 422.
    const bad = await call(agent.client, 'install_packages', {
      packages: ['--index-url=http://evil.example'],
    });
    expect(bad.isError).toBe(true);
    expect(bad.text).toContain('POST /requirements failed: HTTP 422 invalid package spec');
  });

  it('never returns the key secret, even when a script prints it', async () => {
    // The server redacts it itself; `airlock mcp` would mask it as **** otherwise (mcp.test.ts).
    const r = await call(agent.client, 'run_python', {
      script: `print("the secret is ${secret}")\nset_result(["${secret}"])\n`,
    });
    expect(r.structuredContent).toMatchObject({
      status: 'completed',
      stdout: 'the secret is [REDACTED:PROFILE_KEY_SECRET]\n',
      result: ['[REDACTED:PROFILE_KEY_SECRET]'],
    });
    expect(JSON.stringify(r)).not.toContain(secret);
  });

  it('reports a bad key as tool errors with the server’s message, and keeps serving', async () => {
    const unknown = await connect(`ark_${'q'.repeat(24)}:${secret}`);
    const wrongSecret = 'W'.repeat(48);
    const wrong = await connect(`${keyId}:${wrongSecret}`);
    try {
      const r1 = await call(unknown.client, 'run_python', { script: 'print(1)' });
      expect(r1.isError).toBe(true);
      expect(r1.text).toMatch(
        /^airlock: POST \/execute failed: HTTP 401 Invalid profile key \(code UNAUTHORIZED, request \S+\)$/,
      );

      const r2 = await call(wrong.client, 'run_python', { script: 'print(1)' });
      expect(r2.isError).toBe(true);
      expect(r2.text).toMatch(
        /^airlock: POST \/execute failed: HTTP 403 Script hash verification failed — HMAC mismatch \(/,
      );
      const r3 = await call(wrong.client, 'describe_profile');
      expect(r3.isError).toBe(true);
      expect(r3.text).toMatch(
        /^airlock: GET \/executions failed: HTTP 403 Request signature verification failed \(/,
      );
      const r4 = await call(wrong.client, 'install_packages', { packages: ['x'] });
      expect(r4.isError).toBe(true);
      expect(r4.text).toContain('HTTP 403 Request signature verification failed');

      // Still up after the refusals.
      expect((await wrong.client.listTools()).tools).toHaveLength(4);
      expect(JSON.stringify([r1, r2, r3, r4]) + wrong.stderr()).not.toContain(wrongSecret);
    } finally {
      await unknown.client.close();
      await wrong.client.close();
    }
  });

  it('serves a 2026-07-28 (modern era) client too', async () => {
    const modern = await connect(`${keyId}:${secret}`, 'auto');
    try {
      expect(modern.client.getProtocolEra()).toBe('modern');
      const r = await call(modern.client, 'run_python', { script: 'set_result(6 * 7)' });
      expect(r.structuredContent).toMatchObject({ status: 'completed', result: 42 });
    } finally {
      await modern.client.close();
    }
  });

  it('never let the key secret out: no tool result, resource or log line holds it', () => {
    const everything = seen.join('\n') + agent.stderr();
    expect(seen.length).toBeGreaterThan(15);
    expect(agent.stderr()).toContain(`airlock mcp: serving ${server.base} with key ${keyId}`);
    expect(everything).not.toContain(secret);
  });
});
