/**
 * Runs a snippet with the system Python (`/usr/bin/python3 -I`), the interpreter scripts run
 * under: tests compare our variants with what Python really prints. Inputs go through stdin
 * (never the command line), and errors never include the output, which may hold test secrets.
 */
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

export function python(code: string, stdin: string | Uint8Array = ''): Buffer {
  const r = spawnSync(PYTHON, ['-I', '-c', code], {
    input: stdin,
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8', PYTHONIOENCODING: 'utf-8' },
  });
  if (r.error) throw new Error(`python could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`python snippet exited with status ${r.status}`);
  return r.stdout;
}

/** Runs `code` with `values` (a JSON list of strings) bound to `values`; returns stdout. */
export function pythonWith(values: readonly string[], code: string): Buffer {
  const prelude =
    'import sys, json\nvalues = json.loads(sys.stdin.buffer.read().decode("utf-8"))\n';
  return python(prelude + code, JSON.stringify(values));
}

/** Same as {@link pythonWith}, for snippets printing one JSON list of strings. */
export function pythonStrings(values: readonly string[], code: string): string[] {
  return JSON.parse(pythonWith(values, code).toString('utf8')) as string[];
}

export interface PythonRun {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly status: number | null;
}

/** Like {@link pythonWith} but keeps stderr and does not fail on a non-zero exit (tracebacks). */
export function pythonRun(values: readonly string[], code: string): PythonRun {
  const prelude =
    'import sys, json\nvalues = json.loads(sys.stdin.buffer.read().decode("utf-8"))\n';
  const r = spawnSync(PYTHON, ['-I', '-c', prelude + code], {
    input: JSON.stringify(values),
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8', PYTHONIOENCODING: 'utf-8' },
  });
  if (r.error) throw new Error(`python could not start: ${r.error.message}`);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}
