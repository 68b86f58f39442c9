import { execFileSync } from 'node:child_process';
import { PYTHON_UNPRINTABLE_PROBE, parseUnprintableRanges } from '@airlock/redactor';

/**
 * The code points the script interpreter's `repr` escapes (its `str.isprintable()` is false),
 * asked of that interpreter once: the redactor's `repr` variants must follow its Unicode tables,
 * not Node's. Throws with the reason when the interpreter cannot answer.
 */
export function pythonUnprintable(python: string): [number, number][] {
  let out: string;
  try {
    out = execFileSync(python, ['-I', '-c', PYTHON_UNPRINTABLE_PROBE], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 30_000,
      maxBuffer: 1 << 20,
    });
  } catch (err) {
    throw new Error(
      `${python} could not report its Unicode tables (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  return parseUnprintableRanges(out);
}
