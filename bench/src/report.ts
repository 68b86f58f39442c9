/**
 * Shared helpers for benchmarks: timing statistics, machine description, and rewriting one
 * section of bench/RESULTS.md in place (between `<!-- bench:NAME -->` markers), so each benchmark
 * can be run alone and `pnpm bench` rewrites them all.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';

export const RESULTS_PATH = fileURLToPath(new URL('../RESULTS.md', import.meta.url));

export interface Stats {
  n: number;
  median: number;
  p95: number;
  mean: number;
  min: number;
}

export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) throw new Error('stats() needs at least one sample');
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  return {
    n: s.length,
    median: at(0.5),
    p95: at(0.95),
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    min: s[0] as number,
  };
}

/** Runs `fn` repeatedly for at least `ms` milliseconds and returns operations per second. */
export function opsPerSecond(fn: () => void, ms = 1000): number {
  for (let i = 0; i < 100; i++) fn(); // warm-up
  let count = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 100; i++) fn();
    count += 100;
    elapsed = process.hrtime.bigint() - start;
  }
  return count / (Number(elapsed) / 1e9);
}

export function machine(): string {
  const cpus = os.cpus();
  return `${os.type()} ${os.release()}, ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(
    os.totalmem() / 2 ** 30,
  )} GiB, Node ${process.version}`;
}

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

/** Replaces (or appends) the section `name` of RESULTS.md with `body`, stamped with date and machine. */
export function writeSection(name: string, title: string, body: string): void {
  let text: string;
  try {
    text = readFileSync(RESULTS_PATH, 'utf8');
  } catch {
    text =
      '# Benchmark results\n\nRewritten by `pnpm bench` (or one benchmark at a time). Figures, not tests.\n';
  }
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${start}\n## ${title}\n\n_Run ${new Date().toISOString()} on ${machine()}._\n\n${body.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text =
    i >= 0 && j > i
      ? text.slice(0, i) + section + text.slice(j + end.length)
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(RESULTS_PATH, text);
  process.stdout.write(`${section}\n`);
}
