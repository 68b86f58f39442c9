/**
 * Ways to answer a script's `llm.complete(prompt, model)` pause: a fixed text, a shell command
 * (prompt on stdin, answer on stdout), or a person at the terminal.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { CliError, ExitCode, usageError } from './errors.js';

/** Returns the answer for one prompt. */
export type LlmAnswerer = (prompt: string, model: string) => Promise<string>;

export function fixedAnswerer(text: string): LlmAnswerer {
  return async () => text;
}

/**
 * Runs `command` with `/bin/sh -c` for each prompt: the prompt is its stdin, `AIRLOCK_LLM_MODEL`
 * names the model, its stdout (one trailing newline removed, as most commands add one) is the
 * answer, its stderr passes through. A non-zero exit is an error (exit 3): answering with a
 * failed command's partial output would feed the script garbage.
 */
export function commandAnswerer(
  command: string,
  env: Readonly<Record<string, string | undefined>>,
  stderr: (text: string) => void,
): LlmAnswerer {
  return (prompt, model) =>
    new Promise<string>((resolve, reject) => {
      const childEnv: Record<string, string> = {};
      for (const [k, v] of Object.entries(env)) {
        // The command is some other program (an LLM client): it has no business with the key.
        if (v !== undefined && k !== 'AIRLOCK_KEY') childEnv[k] = v;
      }
      childEnv.AIRLOCK_LLM_MODEL = model;
      const child = spawn('/bin/sh', ['-c', command], {
        env: childEnv,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => stderr(d.toString('utf8')));
      // A command that does not read its stdin closes the pipe early; that is not a failure.
      child.stdin.on('error', () => {});
      child.on('error', (err) =>
        reject(new CliError(`--llm-command could not start: ${err.message}`, ExitCode.usage)),
      );
      child.on('close', (code, signal) => {
        if (code !== 0) {
          const how = signal === null ? `exited with ${code}` : `was killed by ${signal}`;
          reject(new CliError(`--llm-command ${how}`, ExitCode.usage));
          return;
        }
        resolve(stripOneNewline(Buffer.concat(out).toString('utf8')));
      });
      child.stdin.end(prompt);
    });
}

export function stripOneNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/**
 * Reads lines from a stream on demand, across several prompts. (readline's async iterator would
 * close the stream the first time a loop over it ends, so a second prompt could not be read.)
 */
export class LineReader {
  private buffer = '';
  private ended = false;
  private waiting: (() => void) | undefined;
  private started = false;

  constructor(private readonly input: Readable) {}

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.input.setEncoding('utf8');
    this.input.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake();
    });
    this.input.on('end', () => {
      this.ended = true;
      this.wake();
    });
    this.input.on('error', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  /** The next line without its newline, or `undefined` at end of input. */
  async readLine(): Promise<string | undefined> {
    this.start();
    this.input.resume();
    for (;;) {
      const i = this.buffer.indexOf('\n');
      if (i >= 0) {
        const line = this.buffer.slice(0, i).replace(/\r$/, '');
        this.buffer = this.buffer.slice(i + 1);
        // Do not keep a terminal read pending between prompts: it would hold the process open.
        this.input.pause();
        return line;
      }
      if (this.ended) {
        if (this.buffer === '') return undefined;
        const line = this.buffer;
        this.buffer = '';
        return line;
      }
      await new Promise<void>((r) => {
        this.waiting = r;
      });
    }
  }

  /** Stops reading so the process can exit. */
  close(): void {
    this.input.pause();
    if (this.started) this.input.removeAllListeners('data');
  }
}

/**
 * Asks the person at the terminal: shows the prompt on stderr, reads the answer from stdin until
 * an empty line (or end of input, Ctrl-D). Answers therefore cannot contain blank lines; the
 * empty line is what lets one session answer several prompts in a row.
 */
export function interactiveAnswerer(
  lines: LineReader,
  stderr: (text: string) => void,
): LlmAnswerer {
  return async (prompt, model) => {
    stderr(`\n--- the script asks (llm.complete, model ${model}) ---\n${prompt}\n`);
    stderr('--- your answer (end with an empty line or Ctrl-D) ---\n');
    const got: string[] = [];
    for (;;) {
      const line = await lines.readLine();
      if (line === undefined) {
        if (got.length === 0) throw usageError('stdin ended before an answer was given');
        break;
      }
      if (line === '') {
        // An empty first line would send an empty answer by accident; wait for real text.
        if (got.length === 0) continue;
        break;
      }
      got.push(line);
    }
    return got.join('\n');
  };
}
