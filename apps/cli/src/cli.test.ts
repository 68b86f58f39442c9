import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type CliIo, runCli } from './cli.js';
import type { FetchLike } from './client.js';
import { EXEC_HELP, MAIN_HELP, MCP_HELP } from './help.js';

const SECRET = 'Qw3'.repeat(16);
const KEY = `ark_${'z'.repeat(24)}:${SECRET}`;

function harness(over: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
    stdin: new PassThrough(),
    stdinIsTTY: false,
    version: '9.9.9',
    ...over,
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

describe('runCli', () => {
  it('prints usage for --help and exec --help, the version for --version', async () => {
    const h = harness();
    expect(await runCli(['--help'], h.io)).toBe(0);
    expect(await runCli(['exec', '--help'], h.io)).toBe(0);
    expect(await runCli(['--version'], h.io)).toBe(0);
    expect(h.out()).toBe(`${MAIN_HELP}${EXEC_HELP}9.9.9\n`);
    expect(MAIN_HELP).toMatch(/Exit codes/);
  });

  it('reports usage errors on stderr with exit 3, never echoing the secret', async () => {
    const h = harness();
    expect(await runCli(['exec', '--kye', KEY, 'a.py'], h.io)).toBe(3);
    expect(h.err()).toMatch(/^airlock: Unknown option '--kye'/);
    expect(h.err()).not.toContain(SECRET);
    expect(await runCli(['exec', 'a.py', '--key', `${KEY}x`], h.io)).toBe(3);
    expect(h.err()).not.toContain(SECRET);
  });

  it('masks the secret even if a server echoes it back', async () => {
    const echo: FetchLike = async (_url, init) =>
      new Response(JSON.stringify({ detail: `bad request: ${String(init?.body)}` }), {
        status: 400,
      });
    const stdin = new PassThrough();
    stdin.end(`print("${SECRET}")`);
    const h = harness({ fetch: echo, env: { AIRLOCK_KEY: KEY }, stdin });
    expect(await runCli(['exec', '-', '--json'], h.io)).toBe(4);
    expect(h.err()).toMatch(/HTTP 400 bad request/);
    expect(h.err()).toContain('****');
    expect(h.err() + h.out()).not.toContain(SECRET);
    expect(JSON.parse(h.out())).toMatchObject({ error: { exit_code: 4, status: 400 } });
  });

  it('airlock mcp: help, and exit 3 before serving when the key is missing', async () => {
    const h = harness();
    expect(await runCli(['help', 'mcp'], h.io)).toBe(0);
    expect(h.out()).toBe(MCP_HELP);
    expect(MCP_HELP).toContain('claude mcp add airlock');
    expect(await runCli(['mcp'], h.io)).toBe(3);
    expect(h.err()).toBe(
      'airlock: no profile key: pass --key or set AIRLOCK_KEY (ark_<key id>:<secret>)\n',
    );
  });

  it('airlock mcp serves on the given streams and exits 0 when stdin ends', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const h = harness({ env: { AIRLOCK_KEY: KEY }, stdin, stdoutStream: stdout });
    const running = runCli(['mcp'], h.io);
    stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })}\n`,
    );
    const line = await new Promise<string>((resolve) =>
      stdout.once('data', (d) => resolve(String(d))),
    );
    expect(JSON.parse(line)).toMatchObject({
      id: 1,
      result: { serverInfo: { name: 'airlock', version: '9.9.9' } },
    });
    stdin.end();
    expect(await running).toBe(0);
    expect(h.err()).toBe(
      `airlock mcp: serving http://localhost:9090 with key ark_${'z'.repeat(24)} on stdio\n`,
    );
    expect(h.err() + line).not.toContain(SECRET);
  });

  it('reports an unreadable script as exit 3', async () => {
    const h = harness({ env: { AIRLOCK_KEY: KEY } });
    expect(await runCli(['exec', '/nonexistent/job.py'], h.io)).toBe(3);
    expect(h.err()).toBe('airlock: cannot read the script /nonexistent/job.py: ENOENT\n');
  });
});
