import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from './errors.js';
import { commandAnswerer, interactiveAnswerer, LineReader, stripOneNewline } from './llm.js';

describe('commandAnswerer', () => {
  it('feeds the prompt on stdin, sets AIRLOCK_LLM_MODEL, hides AIRLOCK_KEY', async () => {
    const errs: string[] = [];
    const answer = commandAnswerer(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not JS
      'tr a-z A-Z; echo "model=$AIRLOCK_LLM_MODEL key=${AIRLOCK_KEY:-unset}" >&2',
      { PATH: process.env.PATH, AIRLOCK_KEY: 'ark_x:y' },
      (t) => errs.push(t),
    );
    expect(await answer('hello\nworld', 'gpt')).toBe('HELLO\nWORLD');
    expect(errs.join('')).toBe('model=gpt key=unset\n');
  });

  it('removes exactly one trailing newline from the answer', async () => {
    const answer = commandAnswerer("printf 'a\\n\\n'", { PATH: process.env.PATH }, () => {});
    expect(await answer('', 'default')).toBe('a\n');
    expect(stripOneNewline('x\r\n')).toBe('x');
    expect(stripOneNewline('x')).toBe('x');
  });

  it('fails with exit 3 when the command fails, even if it printed something', async () => {
    const answer = commandAnswerer('echo partial; exit 7', { PATH: process.env.PATH }, () => {});
    const err = await answer('p', 'm').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(ExitCode.usage);
    expect((err as CliError).message).toMatch(/exited with 7/);
  });

  it('does not fail when the command ignores its stdin', async () => {
    const answer = commandAnswerer('echo fixed', { PATH: process.env.PATH }, () => {});
    expect(await answer('x'.repeat(1_000_000), 'm')).toBe('fixed');
  });
});

describe('interactiveAnswerer', () => {
  it('reads a multi-line answer up to an empty line, prompt after prompt', async () => {
    const input = new PassThrough();
    const shown: string[] = [];
    const lines = new LineReader(input);
    const ask = interactiveAnswerer(lines, (t) => shown.push(t));
    input.write('\nfirst line\r\nsecond line\n\nnext answer\n');
    expect(await ask('Q1?', 'default')).toBe('first line\nsecond line');
    const second = ask('Q2?', 'm2');
    input.end('continued');
    expect(await second).toBe('next answer\ncontinued');
    expect(shown.join('')).toContain('Q1?');
    expect(shown.join('')).toContain('model m2');
    lines.close();
  });

  it('fails with exit 3 when input ends before any answer', async () => {
    const input = new PassThrough();
    const ask = interactiveAnswerer(new LineReader(input), () => {});
    input.end();
    await expect(ask('Q?', 'm')).rejects.toMatchObject({ exitCode: ExitCode.usage });
  });
});
