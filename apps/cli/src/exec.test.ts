import { describe, expect, it } from 'vitest';
import type { ExecCommand } from './args.js';
import type { FetchLike } from './client.js';
import { CliError, ExitCode } from './errors.js';
import { type ExecIo, renderOutcome, runExec } from './exec.js';
import { type Call, fakeServer, type Reply } from './test/fake-server.js';

const SECRET = 'S'.repeat(48);
const KEY_ID = `ark_${'k'.repeat(24)}`;
const ID = `exec_${'0'.repeat(32)}`;

function command(over: Partial<ExecCommand> = {}): ExecCommand {
  return {
    kind: 'exec',
    file: 'job.py',
    url: 'http://airlock.test',
    keyId: KEY_ID,
    secret: SECRET,
    timeout: undefined,
    signatureVersion: 2,
    json: false,
    verbose: false,
    llmCommand: undefined,
    llmAnswer: undefined,
    ...over,
  };
}

function io(fetchImpl: FetchLike, over: Partial<ExecIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const bundle: ExecIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readScript: async () => "print('hi')",
    llm: undefined,
    fetch: fetchImpl,
    sleep: async () => {},
    ...over,
  };
  return { bundle, out: () => out.join(''), err: () => err.join('') };
}

const accepted = { status: 202, body: { execution_id: ID, poll_url: 'x', status: 'pending' } };
const done = (over: Record<string, unknown> = {}): Reply => ({
  status: 200,
  body: {
    execution_id: ID,
    status: 'completed',
    result: { ok: true },
    stdout: 'hi\n',
    stderr: '',
    error: null,
    execution_time_ms: 12,
    ...over,
  },
});

describe('runExec', () => {
  it('signs v2, submits, long-polls and prints stdout then the result; exit 0', async () => {
    const server = fakeServer({
      'POST /execute': [accepted],
      [`GET /executions/${ID}`]: [
        { status: 200, body: { execution_id: ID, status: 'running' } },
        done(),
      ],
    });
    const t = io(server.fetch);
    expect(await runExec(command({ timeout: 5 }), t.bundle)).toBe(ExitCode.ok);
    expect(t.out()).toBe('hi\n{\n  "ok": true\n}\n');
    expect(t.err()).toBe('');
    const submit = server.calls[0] as Call;
    expect(submit.headers.authorization).toBe(`Bearer ${KEY_ID}`);
    expect(submit.headers['X-Airlock-Nonce']).toMatch(/^[0-9a-f]{32}$/);
    expect(submit.body).toMatchObject({ script: "print('hi')", timeout: 5 });
    expect((submit.body as { hash: string }).hash).toMatch(/^[0-9a-f]{64}$/);
    expect(server.calls.slice(1).map((c) => c.path)).toEqual([
      `/executions/${ID}?wait=0`,
      `/executions/${ID}?wait=1`,
    ]);
    expect(JSON.stringify(server.calls)).not.toContain(SECRET);
  });

  it('retries a network error on submit with the same nonce and signature (v2)', async () => {
    const server = fakeServer({
      'POST /execute': ['network-error', 'network-error', accepted],
      [`GET /executions/${ID}`]: [done()],
    });
    const t = io(server.fetch);
    expect(await runExec(command(), t.bundle)).toBe(ExitCode.ok);
    const submits = server.calls.filter((c) => c.method === 'POST');
    expect(submits).toHaveLength(3);
    const nonces = new Set(submits.map((c) => c.headers['X-Airlock-Nonce']));
    const hashes = new Set(submits.map((c) => (c.body as { hash: string }).hash));
    expect(nonces.size).toBe(1);
    expect(hashes.size).toBe(1);
    expect(t.err()).toMatch(/retrying with the same nonce/);
  });

  it('does not retry a v1 submit after a network error (it could run twice); exit 4', async () => {
    const server = fakeServer({ 'POST /execute': ['network-error', accepted] });
    const t = io(server.fetch);
    const err = await runExec(command({ signatureVersion: 1 }), t.bundle).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(ExitCode.server);
    expect((err as CliError).message).toMatch(/not retried/);
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]?.headers['X-Airlock-Nonce']).toBeUndefined();
  });

  it('does retry a v1 submit whose connection was refused (nothing was sent)', async () => {
    const server = fakeServer({
      'POST /execute': ['refused', accepted],
      [`GET /executions/${ID}`]: [done()],
    });
    const t = io(server.fetch);
    expect(await runExec(command({ signatureVersion: 1 }), t.bundle)).toBe(ExitCode.ok);
    expect(server.calls.filter((c) => c.method === 'POST')).toHaveLength(2);
  });

  it('waits Retry-After on a full queue and resubmits', async () => {
    const slept: number[] = [];
    const server = fakeServer({
      'POST /execute': [
        {
          status: 429,
          body: { detail: 'Too many executions are queued' },
          headers: { 'retry-after': '2' },
        },
        accepted,
      ],
      [`GET /executions/${ID}`]: [done()],
    });
    const t = io(server.fetch, { sleep: async (ms) => void slept.push(ms) });
    expect(await runExec(command(), t.bundle)).toBe(ExitCode.ok);
    expect(slept).toEqual([2000]);
  });

  it('gives up after the last attempt with the server error', async () => {
    const server = fakeServer({ 'POST /execute': ['network-error'] });
    const t = io(server.fetch);
    const err = await runExec(command(), t.bundle).catch((e: unknown) => e);
    expect((err as CliError).message).toMatch(
      /cannot reach http:\/\/airlock.test: socket ECONNRESET/,
    );
    expect(server.calls).toHaveLength(4);
  });

  it('turns a refused key into exit 4 with the server message', async () => {
    const server = fakeServer({
      'POST /execute': [
        { status: 401, body: { detail: 'Invalid profile key', code: 'UNAUTHORIZED' } },
      ],
    });
    const err = await runExec(command(), io(server.fetch).bundle).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 4, status: 401, code: 'UNAUTHORIZED' });
    expect((err as CliError).message).toMatch(/Invalid profile key/);
  });

  it('answers every llm pause and sends the answer to /respond', async () => {
    const asked: string[] = [];
    const pause = (prompt: string): Reply => ({
      status: 200,
      body: {
        execution_id: ID,
        status: 'awaiting_llm',
        llm_request: { prompt, model: 'm' },
        prompt,
      },
    });
    const server = fakeServer({
      'POST /execute': [accepted],
      [`GET /executions/${ID}`]: [pause('one?'), pause('two?'), done({ result: 'ab' })],
      [`POST /executions/${ID}/respond`]: [
        { status: 200, body: { execution_id: ID, status: 'running' } },
      ],
    });
    const t = io(server.fetch, {
      llm: async (p, model) => {
        asked.push(`${model}:${p}`);
        return p.toUpperCase();
      },
    });
    expect(await runExec(command(), t.bundle)).toBe(ExitCode.ok);
    expect(asked).toEqual(['m:one?', 'm:two?']);
    const answers = server.calls.filter((c) => c.path.endsWith('/respond')).map((c) => c.body);
    expect(answers).toEqual([{ response: 'ONE?' }, { response: 'TWO?' }]);
    // After each answer the next poll starts short again (see POLL_WAITS_SECONDS).
    const polls = server.calls.filter((c) => c.method === 'GET').map((c) => c.path.split('=')[1]);
    expect(polls).toEqual(['0', '0', '0']);
  });

  it('keeps polling when /respond says the execution moved on (409)', async () => {
    const server = fakeServer({
      'POST /execute': [accepted],
      [`GET /executions/${ID}`]: [
        { status: 200, body: { execution_id: ID, status: 'awaiting_llm', prompt: 'p' } },
        done({ status: 'error', error: 'LLM wait timed out', result: null, stdout: '' }),
      ],
      [`POST /executions/${ID}/respond`]: [
        { status: 409, body: { detail: "Execution is 'error', not 'awaiting_llm'" } },
      ],
    });
    const t = io(server.fetch, { llm: async () => 'late' });
    expect(await runExec(command(), t.bundle)).toBe(ExitCode.scriptError);
    expect(t.err()).toContain('LLM wait timed out');
  });

  it('retries an answer only when it was never sent', async () => {
    const pause: Reply = {
      status: 200,
      body: { execution_id: ID, status: 'awaiting_llm', prompt: 'p' },
    };
    const refused = fakeServer({
      'POST /execute': [accepted],
      [`GET /executions/${ID}`]: [pause, done()],
      [`POST /executions/${ID}/respond`]: [
        'refused',
        { status: 200, body: { execution_id: ID, status: 'running' } },
      ],
    });
    expect(await runExec(command(), io(refused.fetch, { llm: async () => 'a' }).bundle)).toBe(
      ExitCode.ok,
    );
    expect(refused.calls.filter((c) => c.path.endsWith('/respond'))).toHaveLength(2);

    // A broken connection may have delivered the answer: repeating it could answer a later prompt.
    const broken = fakeServer({
      'POST /execute': [accepted],
      [`GET /executions/${ID}`]: [pause],
      [`POST /executions/${ID}/respond`]: ['network-error'],
    });
    const err = await runExec(command(), io(broken.fetch, { llm: async () => 'a' }).bundle).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ exitCode: ExitCode.server });
    expect(broken.calls.filter((c) => c.path.endsWith('/respond'))).toHaveLength(1);
  });

  it('fails clearly (exit 3) when a prompt arrives and nobody can answer', async () => {
    const server = fakeServer({
      'POST /execute': [accepted],
      [`GET /executions/${ID}`]: [
        { status: 200, body: { execution_id: ID, status: 'awaiting_llm', prompt: 'p' } },
      ],
    });
    const err = await runExec(command(), io(server.fetch).bundle).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.usage });
    expect((err as Error).message).toMatch(/--llm-answer/);
    expect((err as Error).message).toContain(ID);
  });

  it('retries a failed poll, then reports', async () => {
    const server = fakeServer({
      'POST /execute': [accepted],
      [`GET /executions/${ID}`]: ['network-error', done()],
    });
    expect(await runExec(command(), io(server.fetch).bundle)).toBe(ExitCode.ok);
  });

  it('prints the final poll object only, with --json; exit code still follows the status', async () => {
    const final = done({ status: 'timeout', error: 'timed out after 1 s', result: null });
    const server = fakeServer({ 'POST /execute': [accepted], [`GET /executions/${ID}`]: [final] });
    const t = io(server.fetch);
    expect(await runExec(command({ json: true }), t.bundle)).toBe(ExitCode.timeout);
    expect(JSON.parse(t.out())).toEqual((final as { body: unknown }).body);
    expect(t.err()).toBe('');
  });

  it('refuses an empty script before contacting the server', async () => {
    const server = fakeServer({});
    const err = await runExec(
      command(),
      io(server.fetch, { readScript: async () => ' \n' }).bundle,
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.usage });
    expect(server.calls).toHaveLength(0);
  });
});

describe('renderOutcome', () => {
  function render(state: Parameters<typeof renderOutcome>[0]) {
    const out: string[] = [];
    const err: string[] = [];
    renderOutcome(state, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
    return { out: out.join(''), err: err.join('') };
  }

  it('puts the result on its own line and skips a null result', () => {
    expect(
      render({ execution_id: ID, status: 'completed', stdout: 'no newline', result: [1] }).out,
    ).toBe('no newline\n[\n  1\n]\n');
    expect(render({ execution_id: ID, status: 'completed', stdout: 'x\n', result: null }).out).toBe(
      'x\n',
    );
  });

  it('sends stderr and the traceback to stderr on error, the reason on timeout', () => {
    const e = render({
      execution_id: ID,
      status: 'error',
      stdout: '',
      stderr: 'warn',
      error: 'Traceback…\nValueError: x\n',
    });
    expect(e).toEqual({ out: '', err: 'warn\nTraceback…\nValueError: x\n' });
    expect(render({ execution_id: ID, status: 'timeout', error: 'timed out after 1 s' }).err).toBe(
      'airlock: timeout: timed out after 1 s\n',
    );
  });
});
