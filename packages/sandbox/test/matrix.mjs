#!/usr/bin/env node
/**
 * The sandbox suites for every installed backend. One pass runs everything: the probe and
 * whole-run suites are matrices of their own, the backend-bound suites run on bubblewrap. Where
 * nsjail is on PATH, a second pass runs the backend-bound suites on it. Says plainly what ran.
 * Arguments are passed to vitest (a file filter runs only the matching suites, in both passes).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

// This package's own vitest, whatever PATH holds.
const VITEST = join(
  dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  'vitest.mjs',
);

const BACKEND_BOUND = [
  'runtime',
  'llm',
  'concurrency',
  'cancel',
  'leak',
  'install',
  'fault',
  'egress',
];

function installed(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

function vitest(args, env) {
  const r = spawnSync(process.execPath, [VITEST, 'run', ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (r.error) console.error(`could not run vitest: ${r.error.message}`);
  return r.status ?? 1;
}

const args = process.argv.slice(2);
const first = vitest(args, { AIRLOCK_TEST_BACKEND: 'bwrap' });
let second = 0;
if (installed('nsjail')) {
  const files = BACKEND_BOUND.map((s) => `test/${s}.test.ts`);
  const filtered = args.length > 0 ? files.filter((f) => args.some((a) => f.includes(a))) : files;
  if (filtered.length > 0) {
    console.log(`\nsandbox suites on nsjail: ${filtered.join(', ')}`);
    second = vitest(filtered, { AIRLOCK_TEST_BACKEND: 'nsjail' });
  }
  console.log(`\nbackends tested: bwrap, nsjail`);
} else {
  console.log(
    `\nbackends tested: bwrap only (nsjail not installed: the ${BACKEND_BOUND.join(', ')} suites and the nsjail probes did not run on it)`,
  );
}
process.exit(first || second);
