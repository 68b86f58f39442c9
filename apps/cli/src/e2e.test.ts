import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_DIR, CLI_MAIN, startTestServer, type TestServer } from './test/server.js';

/**
 * The built CLI's behaviour against a REAL server process: sign, submit, long-poll, LLM pauses,
 * exit codes, redaction, errors. The CLI runs as its own process, exactly as a user runs it.
 */
const CREDENTIAL = 'CLI_E2E_TOKEN';
const CREDENTIAL_VALUE = 'cli-e2e-credential-value-9f8e7d';
// Our own sandbox uid range, so tests of other packages running alongside never collide.
const UID_BASE = 76_000;

let server: TestServer;
let root = '';
let base = '';
let key = '';
let adminToken = '';

const api = (method: string, path: string, body?: unknown, token?: string) =>
  server.api(method, path, body, token);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI asynchronously (never spawnSync: stay responsive), optionally feeding stdin. */
function cli(
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--conditions=@airlock/source', '--import', 'tsx', CLI_MAIN, ...args],
    {
      cwd: CLI_DIR,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AIRLOCK_URL: base, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function script(name: string, text: string): string {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  server = await startTestServer('airlock-cli-e2e-', {
    env: () => ({ AIRLOCK_SANDBOX_UID_BASE: String(UID_BASE) }),
  });
  root = server.root;
  base = server.base;
  adminToken = await server.admin();
  const cred = await api(
    'POST',
    '/api/admin/credentials',
    { name: CREDENTIAL, value: CREDENTIAL_VALUE },
    adminToken,
  );
  expect(cred.status, JSON.stringify(cred.json)).toBeLessThan(300);
  const profile = await api('POST', '/profiles', { description: 'cli e2e' });
  expect(profile.status).toBe(201);
  const attach = await api('POST', `/profiles/${profile.json.id}/credentials`, {
    credentials: [CREDENTIAL],
  });
  expect(attach.status).toBe(200);
  const lock = await api(
    'POST',
    `/api/admin/profiles/${profile.json.id}/lock`,
    { credentials: [CREDENTIAL] },
    adminToken,
  );
  expect(lock.status, JSON.stringify(lock.json)).toBe(200);
  key = lock.json.key as string;
});

afterAll(() => {
  server?.stop();
});

describe('airlock exec against a running server', () => {
  it('runs a script: redacted stdout, the result as JSON, exit 0', async () => {
    const file = script(
      'ok.py',
      `print("token is", settings["${CREDENTIAL}"])\nset_result({"names": sorted(settings.keys())})\n`,
    );
    const r = await cli(['exec', file, '--key', key]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `token is [REDACTED:${CREDENTIAL}]\n${JSON.stringify({ names: [CREDENTIAL] }, null, 2)}\n`,
    );
    expect(r.stdout).not.toContain(CREDENTIAL_VALUE);
  });

  it('prints output live while the script runs, once, and the result at the end', async () => {
    const file = script(
      'live.py',
      [
        'import sys, time',
        'print("first line", flush=True)',
        'print("x" * 600, flush=True)',
        'print("to stderr", file=sys.stderr, flush=True)',
        'print("e" * 600, file=sys.stderr, flush=True)',
        'time.sleep(3)',
        'print("last line")',
        'set_result(7)',
      ].join('\n'),
    );
    const child = spawn(
      process.execPath,
      ['--conditions=@airlock/source', '--import', 'tsx', CLI_MAIN, 'exec', file, '--key', key],
      {
        cwd: CLI_DIR,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AIRLOCK_URL: base },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    child.stdin.end('');
    let stdout = '';
    let stderr = '';
    let firstAt = 0;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (firstAt === 0 && stdout.includes('first line')) firstAt = Date.now();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    const endedAt = Date.now();
    expect(code).toBe(0);
    // The first line was printed during the sleep, seconds before the CLI exited.
    expect(firstAt).toBeGreaterThan(0);
    expect(endedAt - firstAt).toBeGreaterThan(1500);
    // Everything exactly once, then the result.
    expect(stdout).toBe(`first line\n${'x'.repeat(600)}\nlast line\n7\n`);
    expect(stderr).toBe(`to stderr\n${'e'.repeat(600)}\n`);
  }, 60_000);

  it('reports a script error with exit 1 and the traceback on stderr', async () => {
    const r = await cli(['exec', '-'], {
      stdin:
        'import sys\nprint("before")\nprint("warned", file=sys.stderr)\nraise ValueError("boom")\n',
      env: { AIRLOCK_KEY: key },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('before\n');
    expect(r.stderr).toContain('warned\n');
    expect(r.stderr).toContain('Traceback');
    expect(r.stderr).toContain('ValueError: boom');
  });

  it('reports a timeout with exit 2', async () => {
    const r = await cli(['exec', '-', '--timeout', '1'], {
      stdin: 'import time\ntime.sleep(30)\n',
      env: { AIRLOCK_KEY: key },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^airlock: timeout: /m);
  });

  it('answers llm.complete with --llm-answer', async () => {
    const r = await cli(['exec', '-', '--llm-answer', 'forty-two', '--json'], {
      stdin:
        'a = llm.complete("what is the answer?")\nb = llm.complete("again?")\nset_result([a, b])\n',
      env: { AIRLOCK_KEY: key },
    });
    expect(r.code).toBe(0);
    const final = JSON.parse(r.stdout);
    expect(final).toMatchObject({ status: 'completed', result: ['forty-two', 'forty-two'] });
    expect(final.execution_id).toMatch(/^exec_[0-9a-f]{32,}$/);
  });

  it('answers llm.complete with --llm-command (prompt on stdin, model in the env)', async () => {
    const r = await cli(
      ['exec', '-', '--llm-command', 'tr a-z A-Z; printf "%s" "$AIRLOCK_LLM_MODEL" >&2'],
      {
        stdin: 'set_result(llm.complete("shout this", model="tiny"))\n',
        env: { AIRLOCK_KEY: key },
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('"SHOUT THIS"\n');
    expect(r.stderr).toBe('tiny');
  });

  it('fails clearly when a prompt arrives and there is no way to answer (exit 3)', async () => {
    const r = await cli(['exec', '-'], {
      stdin: 'llm.complete("anyone?")\n',
      env: { AIRLOCK_KEY: key },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/waiting for an llm\.complete answer.*--llm-answer/);
    // The message names the execution, so it can still be answered (which also frees its slot).
    const id = /execution (exec_[0-9a-f]+)/.exec(r.stderr)?.[1] ?? '';
    const answered = await api('POST', `/executions/${id}/respond`, { response: 'late' });
    expect(answered.status).toBe(200);
  });

  it('asks at a terminal: shows each prompt, reads answers up to an empty line', async () => {
    // `script` gives the CLI a real pseudo-terminal as stdin; answers are typed when the CLI
    // asks, and stdin is never closed, so the CLI must also exit on its own afterwards.
    const file = script(
      'ask.py',
      'a = llm.complete("Your name?")\nb = llm.complete("Second?", model="m2")\nset_result([a, b])\n',
    );
    const command = [process.execPath, '--conditions=@airlock/source', '--import', 'tsx']
      .concat([CLI_MAIN, 'exec', file])
      .join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: CLI_DIR,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AIRLOCK_URL: base, AIRLOCK_KEY: key },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const answers = ['first line\nsecond line\n\n', 'two\n\n'];
    let seen = '';
    let asked = 0;
    child.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
      const prompts = seen.split('--- your answer').length - 1;
      while (asked < prompts) child.stdin.write(answers[asked++] ?? '\n');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(seen).toContain('Your name?');
    expect(seen).toContain('model m2');
    const tail = seen.slice(seen.lastIndexOf('[')).replace(/\r/g, '');
    expect(JSON.parse(tail)).toEqual(['first line\nsecond line', 'two']);
  });

  it('signs with version 1 on --v1', async () => {
    const r = await cli(['exec', '-', '--v1', '--json'], {
      stdin: 'print("v1 ok")\n',
      env: { AIRLOCK_KEY: key },
    });
    expect(r.code).toBe(0);
    const final = JSON.parse(r.stdout);
    expect(final).toMatchObject({ status: 'completed', stdout: 'v1 ok\n' });
    const recorded = await api(
      'GET',
      `/api/admin/executions/${final.execution_id}`,
      undefined,
      adminToken,
    );
    expect(recorded.json.signature_version).toBe(1);
  });

  it('refuses an unknown key id with exit 4 and the server message, never printing the secret', async () => {
    const secret = key.slice(key.indexOf(':') + 1);
    const unknown = `ark_${'q'.repeat(24)}:${secret}`;
    const r = await cli(['exec', '-', '--key', unknown], { stdin: 'print(1)\n' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/HTTP 401 Invalid profile key/);
    expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('refuses a wrong secret with exit 4 (HMAC mismatch), never printing it', async () => {
    const wrong = `${key.slice(0, key.indexOf(':'))}:${'W'.repeat(48)}`;
    const r = await cli(['exec', '-', '--json'], {
      stdin: 'print(1)\n',
      env: { AIRLOCK_KEY: wrong },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/HTTP 403 Script hash verification failed/);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { status: 403, exit_code: 4 } });
    expect(r.stdout + r.stderr).not.toContain('W'.repeat(48));
  });

  it('airlock status shows health and the profile’s recent executions', async () => {
    const r = await cli(['status'], { env: { AIRLOCK_KEY: key } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Airlock \S+ at http:\/\/127\.0\.0\.1:\d+: ok$/m);
    expect(r.stdout).toMatch(/^sandbox: \S+ \(ok/m);
    expect(r.stdout).toMatch(/^queue: \d+ running, \d+ queued/m);
    expect(r.stdout).toMatch(/^exec_[0-9a-f]+ +completed +\d+ ms/m);
    expect(r.stdout).toMatch(/^exec_[0-9a-f]+ +timeout /m);

    const json = await cli(['status', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ http_status: 200, health: { status: 'ok' } });
  });
});
