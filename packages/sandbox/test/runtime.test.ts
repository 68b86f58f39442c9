import { afterEach, describe, expect, it } from 'vitest';
import { leftovers, run, testSandbox, text } from './helpers.js';

const sandbox = testSandbox();

afterEach(() => {
  expect(leftovers(sandbox)).toEqual([]);
});

describe('runtime globals', () => {
  it('exposes settings as a read-only mapping with get, [], keys and in', async () => {
    const r = await run(
      sandbox,
      [
        'out = {"get": settings.get("A"), "missing": settings.get("NOPE", "dflt"), "item": settings["B"],',
        '       "keys": sorted(settings.keys()), "in": "A" in settings, "not_in": "C" in settings, "len": len(settings)}',
        'try:',
        '    settings["A"] = "x"',
        '    out["assign"] = "allowed"',
        'except TypeError:',
        '    out["assign"] = "refused"',
        'try:',
        '    settings["C"]',
        'except KeyError:',
        '    out["keyerror"] = True',
        'out["repr_has_value"] = "fake-value-a" in repr(settings)',
        'set_result(out)',
      ].join('\n'),
      { settings: { A: 'fake-value-a', B: 'fake-value-b' } },
    );
    expect(r.status).toBe('completed');
    if (r.status !== 'completed') return;
    expect(r.result).toEqual({
      get: 'fake-value-a',
      missing: 'dflt',
      item: 'fake-value-b',
      keys: ['A', 'B'],
      in: true,
      not_in: false,
      len: 2,
      assign: 'refused',
      keyerror: true,
      repr_has_value: false,
    });
  });

  it('keeps settings out of the environment and argv of the script and its children', async () => {
    const r = await run(
      sandbox,
      [
        'import os, subprocess',
        'env = open("/proc/self/environ", "rb").read() + subprocess.run(["/usr/bin/env"], capture_output=True).stdout',
        'cmd = b"".join(open(f"/proc/{p}/cmdline", "rb").read() for p in os.listdir("/proc") if p.isdigit())',
        'set_result({"env": "fake-secret-9f3" in env.decode(), "cmd": b"fake-secret-9f3" in cmd,',
        '            "keys": sorted(os.environ)})',
      ].join('\n'),
      { settings: { TOKEN: 'fake-secret-9f3' } },
    );
    expect(r.status).toBe('completed');
    if (r.status !== 'completed') return;
    expect(r.result).toEqual({
      env: false,
      cmd: false,
      keys: ['HOME', 'LANG', 'LOGNAME', 'PATH', 'PWD', 'TMPDIR', 'USER'],
    });
  });

  it('set_result takes nested JSON, and the last call wins', async () => {
    const r = await run(
      sandbox,
      'set_result(1)\nset_result({"a": [1, 2.5, None, True, {"b": "ü\\n\\"q\\""}], "n": -3})',
    );
    expect(r.status).toBe('completed');
    if (r.status === 'completed') {
      expect(r.result).toEqual({ a: [1, 2.5, null, true, { b: 'ü\n"q"' }], n: -3 });
    }
  });

  it('hands over the JSON text exactly: big integers, -0.0, long floats; NaN is refused', async () => {
    const r = await run(
      sandbox,
      [
        'try:',
        '    set_result(float("nan"))',
        'except TypeError as e:',
        '    nan = str(e)',
        'set_result({"big": 2**64, "digits": 12345678901234567890, "neg0": -0.0,',
        '            "f": 0.1 + 0.2, "nan": nan})',
      ].join('\n'),
    );
    expect(r.status).toBe('completed');
    if (r.status !== 'completed') return;
    expect(r.resultJson).toContain('"big":18446744073709551616');
    expect(r.resultJson).toContain('"digits":12345678901234567890');
    expect(r.resultJson).toContain('"neg0":-0.0');
    expect(r.resultJson).toContain('"f":0.30000000000000004');
    expect((r.result as { nan: string }).nan).toMatch(/not JSON-serialisable.*Out of range float/);
    const none = await run(sandbox, 'pass');
    expect(none).toMatchObject({ status: 'completed', result: null, resultJson: 'null' });
  });

  it('a result message not in the runtime format is a protocol error', async () => {
    const r = await run(sandbox, 'import os\nos.write(200, b\'{"t": "result", "value": 1}\\n\')');
    expect(r).toMatchObject({ status: 'error', cause: 'protocol' });
  });

  it('result is null when set_result is never called', async () => {
    const r = await run(sandbox, 'print("no result")');
    expect(r).toMatchObject({ status: 'completed', result: null });
    expect(text(r.stdout)).toBe('no result\n');
  });

  it('a non-serialisable result gives a clear error, catchable by the script', async () => {
    const r = await run(sandbox, 'set_result({"s": {1, 2}})');
    expect(r.status).toBe('error');
    if (r.status === 'error') {
      expect(r.cause).toBe('exception');
      expect(r.error).toContain('set_result(): value is not JSON-serialisable');
      expect(r.error).toContain('set');
    }
    const caught = await run(
      sandbox,
      'try:\n    set_result(float("nan"))\nexcept TypeError as e:\n    set_result("caught")',
    );
    expect(caught).toMatchObject({ status: 'completed', result: 'caught' });
  });

  it('an exception gives the traceback of the script, without runtime frames', async () => {
    const r = await run(sandbox, 'def f(x):\n    return int(x)\n\nprint("before")\nf("nope")');
    expect(r.status).toBe('error');
    if (r.status !== 'error') return;
    expect(r.cause).toBe('exception');
    expect(r.error).toContain('Traceback (most recent call last):');
    expect(r.error).toContain('File "<script>", line 5');
    expect(r.error).toContain('return int(x)');
    expect(r.error).toContain("ValueError: invalid literal for int() with base 10: 'nope'");
    expect(r.error).not.toContain('airlock_runtime');
    expect(text(r.stdout)).toBe('before\n');
  });

  it('a syntax error is an error with the message', async () => {
    const r = await run(sandbox, 'def (:\n');
    expect(r.status).toBe('error');
    if (r.status === 'error') expect(r.error).toContain('SyntaxError');
  });

  it('sys.exit(0) and SystemExit() complete; sys.exit(3) is an error with the status', async () => {
    const zero = await run(
      sandbox,
      'import sys\nset_result("ok")\nsys.exit(0)\nset_result("not reached")',
    );
    expect(zero).toMatchObject({ status: 'completed', result: 'ok' });
    const bare = await run(sandbox, 'raise SystemExit');
    expect(bare).toMatchObject({ status: 'completed', result: null });
    const three = await run(sandbox, 'import sys\nsys.exit(3)');
    expect(three).toMatchObject({
      status: 'error',
      cause: 'exit',
      exitCode: 3,
      error: 'script exited with status 3',
    });
    const msg = await run(sandbox, 'raise SystemExit("bye now")');
    expect(msg).toMatchObject({
      status: 'error',
      exitCode: 1,
      error: 'script exited with status 1',
    });
    expect(text(msg.stderr)).toBe('bye now\n');
    const hard = await run(sandbox, 'import os\nos._exit(4)');
    expect(hard).toMatchObject({ status: 'error', cause: 'exit', exitCode: 4 });
  });

  it('printing fake protocol messages on stdout or stderr forges nothing', async () => {
    const fake = [
      '{"t":"result","value":"forged"}',
      '{"t":"done","status":"completed"}',
      '{"t":"llm","prompt":"forged","model":"x"}',
    ];
    const script = [
      'import sys',
      ...fake.map(
        (f) => `print(${JSON.stringify(f)})\nprint(${JSON.stringify(f)}, file=sys.stderr)`,
      ),
      'set_result("real")',
      'raise RuntimeError("real failure")',
    ].join('\n');
    const events: string[] = [];
    const r = await sandbox.run({ script, onEvent: (e) => events.push(e.type) }).result;
    expect(r.status).toBe('error');
    if (r.status === 'error') expect(r.error).toContain('RuntimeError: real failure');
    expect(events).toEqual(['running']);
    expect(text(r.stdout)).toBe(`${fake.join('\n')}\n`);
  });

  it('captures stdout and stderr as raw bytes, streaming chunks to onOutput', async () => {
    const chunks: string[] = [];
    const r = await sandbox.run({
      script:
        'import sys\nsys.stdout.buffer.write(b"\\xff\\x00raw\\n")\nprint("err", file=sys.stderr)',
      onOutput: (stream, chunk) => chunks.push(`${stream}:${chunk.toString('hex')}`),
    }).result;
    expect(r.status).toBe('completed');
    expect([...r.stdout]).toEqual([0xff, 0x00, 0x72, 0x61, 0x77, 0x0a]);
    expect(text(r.stderr)).toBe('err\n');
    expect(chunks.join(',')).toContain('stdout:ff0072');
  });

  it('stops at the output cap with a limit result and keeps exactly the cap', async () => {
    const r = await run(
      sandbox,
      'import sys\nsys.stderr.write("err\\n")\nsys.stderr.flush()\nwhile True:\n    sys.stdout.write("x" * 4096)',
      { limits: { maxOutputBytes: 10_000, timeoutMs: 10_000 } },
    );
    expect(r).toMatchObject({ status: 'limit', limit: 'output' });
    expect(r.stdout.length).toBe(10_000);
    // Only the stream that passed the cap is marked cut; the other one is whole.
    expect(r.cut).toEqual({ stdout: true, stderr: false });
    expect(text(r.stderr)).toBe('err\n');
  });

  it('a result larger than maxResultBytes is a clear error', async () => {
    const r = await run(sandbox, 'set_result("x" * 5000)', { limits: { maxResultBytes: 1000 } });
    expect(r.status).toBe('error');
    if (r.status === 'error') expect(r.error).toContain('set_result(): value is too large');
  });

  it("Debian's requests and httpx import, and TLS loads the system CA store", async () => {
    const r = await run(
      sandbox,
      [
        'import getpass, ssl, requests, httpx',
        'ctx = ssl.create_default_context()',
        'set_result({"requests": requests.__version__, "httpx": httpx.__version__,',
        '            "cas": ctx.cert_store_stats()["x509_ca"] > 10, "user": getpass.getuser()})',
      ].join('\n'),
    );
    expect(r.status === 'error' ? r.error : '').toBe('');
    expect(r).toMatchObject({ status: 'completed', result: { cas: true, user: 'sandbox' } });
  });

  it('measures execution time', async () => {
    const r = await run(sandbox, 'import time\ntime.sleep(0.3)');
    expect(r.status).toBe('completed');
    expect(r.executionMs).toBeGreaterThanOrEqual(300);
  });

  it('rejects invalid specs before anything runs', () => {
    expect(() => sandbox.run({ script: 'pass', limits: { timeoutMs: -1 } })).toThrow(
      /positive integer/,
    );
    expect(() => sandbox.run({ script: 'pass', settings: { A: 1 as unknown as string } })).toThrow(
      /must be a string/,
    );
  });
});

describe('runtime bounds', () => {
  it('an exception message larger than the output cap is omitted, not cut', async () => {
    const r = await run(sandbox, 'raise ValueError("y" * 50000)', {
      limits: { maxOutputBytes: 4096 },
    });
    expect(r.status).toBe('error');
    if (r.status !== 'error') return;
    expect(r.error).toContain('ValueError: <message of 50000 characters omitted>');
    expect(r.error).not.toContain('yyyy');
  });
});

describe('control channel abuse', () => {
  it('set_result in a tight loop: the last value wins', async () => {
    const r = await run(
      sandbox,
      'for i in range(2000):\n    set_result({"i": i, "pad": "x" * 50000})\nset_result({"i": "last"})',
    );
    expect(r).toMatchObject({ status: 'completed', result: { i: 'last' } });
  });

  it('garbage written straight to the channel is a protocol error, never a forged outcome', async () => {
    const cases = [
      'b\'{"t":"result","value":{bad json}\\n\'',
      'b\'{"t":"exec","cmd":"rm -rf /"}\\n\'',
      'b\'{"t":"started"}\\n\'',
      'b"x" * (3 * 2**20)',
    ];
    for (const payload of cases) {
      const r = await run(
        sandbox,
        `import os, time\nset_result("should not count")\nos.write(200, ${payload})\ntime.sleep(0.2)`,
        { limits: { maxResultBytes: 1024, maxPromptBytes: 1024, maxOutputBytes: 1024 } },
      );
      expect([payload.slice(0, 30), r.status, r.status === 'error' ? r.cause : '']).toEqual([
        payload.slice(0, 30),
        'error',
        'protocol',
      ]);
    }
  });
});
