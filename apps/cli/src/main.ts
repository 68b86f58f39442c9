#!/usr/bin/env node
/**
 * The `airlock` executable: wires `runCli` to this process. All logic lives in the modules.
 */
import { readFileSync } from 'node:fs';
import { runCli } from './cli.js';

function packageVersion(): string {
  try {
    // ../package.json from both src/main.ts (tsx) and dist/main.js (built).
    const pkg: unknown = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    );
    if (pkg !== null && typeof pkg === 'object' && 'version' in pkg) return String(pkg.version);
  } catch {
    // Fall through: a missing version is not worth failing a run for.
  }
  return 'unknown';
}

// Ctrl-C stops waiting, not the execution (the API has no cancel): say which one runs on.
let submitted: string | undefined;
process.once('SIGINT', () => {
  const what = submitted ? `; execution ${submitted} goes on on the server` : '';
  process.stderr.write(`\nairlock: interrupted${what}\n`);
  process.exit(130);
});

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stdin: process.stdin,
  stdinIsTTY: process.stdin.isTTY === true,
  stdoutStream: process.stdout,
  version: packageVersion(),
  onSubmitted: (id) => {
    submitted = id;
  },
});
// exitCode (not exit()) so piped stdout is flushed completely before the process ends.
process.exitCode = code;
