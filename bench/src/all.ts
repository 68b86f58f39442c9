/**
 * Runs every benchmark in this folder (files named `*.bench.ts`) one after another, each in its
 * own process so one cannot warm or pollute another, and lets each rewrite its RESULTS.md section.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n### ${file}\n`);
  const r = spawnSync(
    process.execPath,
    ['--conditions=@airlock/source', '--import', 'tsx', `${dir}${file}`],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`${file} failed with status ${r.status}\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
