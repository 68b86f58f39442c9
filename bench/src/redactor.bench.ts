/**
 * Redactor throughput: 1 MB and 50 MB outputs with 10 and 200 secrets, whole-buffer and streamed
 * in 64 KiB chunks, against a plain Buffer copy of the same data in the same run, plus the cost
 * of building the automaton. Target (issue 3): ≥ 100 MB/s with 200 secrets on one core.
 */
import { createRedactor, type Secret } from '@airlock/redactor';
import { fmt, stats, writeSection } from './report.js';

// Deterministic pseudo-random generator so every run measures the same data.
let seed = 0x2545f491;
function rand(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x100000000;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (s: string): string => s[Math.floor(rand() * s.length)] as string;
const token = (n: number, alphabet = ALNUM): string =>
  Array.from({ length: n }, () => pick(alphabet)).join('');

function makeSecrets(n: number): Secret[] {
  return Array.from({ length: n }, (_, i) => {
    // A mix of API-key-like values, base64-ish secrets with / and +, and passwords.
    const kind = i % 3;
    const value =
      kind === 0
        ? `sk_fake_${token(32)}`
        : kind === 1
          ? token(40, `${ALNUM}/+`)
          : `${token(12)}-${token(8)}!`;
    return { name: `SECRET_${i}`, value };
  });
}

const WORDS = [
  'INFO',
  'DEBUG',
  'request',
  'handled',
  'user',
  'status=200',
  'took',
  'ms',
  'GET',
  '/api/v1/items',
  'rows',
  'processed',
  'result:',
  '{"ok":true}',
  'Traceback',
  'File',
  'line',
  'in',
  'module',
];

/** Log-like output: words, numbers, hex digests, base64 blobs, and a few secret variants. */
function makeOutput(bytes: number, secrets: readonly Secret[]): Buffer {
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const r = rand();
    let line: string;
    if (r < 0.002) {
      const s = secrets[Math.floor(rand() * secrets.length)] as Secret;
      const forms = [
        s.value,
        JSON.stringify(s.value),
        Buffer.from(s.value).toString('base64'),
        Buffer.from(s.value).toString('hex'),
        encodeURIComponent(s.value),
      ];
      line = `leak: ${forms[Math.floor(rand() * forms.length)]}\n`;
    } else if (r < 0.1) {
      line = `sha256=${token(64, '0123456789abcdef')} blob=${token(44, `${ALNUM}/+`)}\n`;
    } else {
      const n = 5 + Math.floor(rand() * 10);
      line = `${Array.from({ length: n }, () => pick(WORDS.join(' ')) + (WORDS[Math.floor(rand() * WORDS.length)] as string)).join(' ')} ${Math.floor(rand() * 1e6)}\n`;
    }
    parts.push(line);
    size += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}

function time(fn: () => void, runs: number): number {
  // Warm-up: let the JIT reach its optimised code before measuring steady state.
  for (let i = 0; i < 3; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return stats(samples).median;
}

const MB = 1_000_000;
const rows: string[] = [];
const buildRows: string[] = [];
let minRatioNote = '';
let worst200 = Number.POSITIVE_INFINITY;

for (const count of [10, 200]) {
  const secrets = makeSecrets(count);
  const buildMs = time(() => createRedactor(secrets), count === 10 ? 50 : 10);
  const redactor = createRedactor(secrets);
  buildRows.push(
    `| ${count} | ${redactor.patternCount} | ${redactor.maxPatternLength} | ${fmt(buildMs, 2)} |`,
  );
  for (const size of [1 * MB, 50 * MB]) {
    const data = makeOutput(size, secrets);
    const runs = size === MB ? 30 : 3;
    let sink = 0;
    const copyMs = time(() => {
      sink += Buffer.from(data).length;
    }, runs);
    const wholeMs = time(() => {
      sink += redactor.redactBytes(data).text.length;
    }, runs);
    const streamMs = time(() => {
      const s = redactor.createStream();
      for (let at = 0; at < data.length; at += 65536) {
        sink += s.write(data.subarray(at, at + 65536)).length;
      }
      sink += s.end().text.length;
    }, runs);
    if (sink < 0) throw new Error('unreachable');
    const mbps = (ms: number) => size / MB / (ms / 1000);
    if (count === 200) worst200 = Math.min(worst200, mbps(wholeMs), mbps(streamMs));
    rows.push(
      `| ${count} | ${size / MB} MB | ${fmt(mbps(wholeMs))} | ${fmt(mbps(streamMs))} | ${fmt(mbps(copyMs))} | ${fmt(copyMs / wholeMs, 3)} |`,
    );
  }
}

// Worst case for an automaton: random bytes (every byte value, no text structure).
{
  const secrets = makeSecrets(200);
  const redactor = createRedactor(secrets);
  const data = Buffer.alloc(MB);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
  const ms = time(() => {
    redactor.redactBytes(data);
  }, 30);
  const decodeMs = time(() => {
    data.toString('utf8');
  }, 30);
  minRatioNote = `Random bytes (1 MB, 200 secrets, whole buffer): ${fmt(1 / (ms / 1000))} MB/s; decoding alone (\`toString('utf8')\`, every invalid byte becomes U+FFFD) runs at ${fmt(1 / (decodeMs / 1000))} MB/s on the same bytes, so this case is bound by decoding, not matching.`;
}

writeSection(
  'redactor',
  'Redactor (@airlock/redactor)',
  [
    'Log-like output with a few secret variants (one line in 500); "whole" is `redactBytes`,',
    '"stream" feeds 64 KiB chunks to `createStream`; both include UTF-8 decoding of the result.',
    '"copy" is `Buffer.from(data)` on the same data in the same run; ratio = redact speed / copy speed.',
    '',
    '| secrets | output | whole MB/s | stream MB/s | copy MB/s | ratio (whole/copy) |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    minRatioNote,
    '',
    `Slowest 200-secret figure: ${fmt(worst200)} MB/s (target ≥ 100 MB/s: ${worst200 >= 100 ? 'met' : 'NOT met'}).`,
    '',
    'Automaton build (all variants of every value, median):',
    '',
    '| secrets | patterns | longest pattern (bytes) | build ms |',
    '|---:|---:|---:|---:|',
    ...buildRows,
  ].join('\n'),
);
