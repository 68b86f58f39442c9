/**
 * The whole CLI as a function of argv and an IO bundle, so tests can run it without a process.
 */
import { readFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { type Command, type Env, type HelpTopic, parseCommand, secretCandidates } from './args.js';
import type { FetchLike } from './client.js';
import {
  ExitCode,
  type ExitCodeValue,
  exitCodeOf,
  renderError,
  renderErrorJson,
  usageError,
} from './errors.js';
import { runExec } from './exec.js';
import { EXEC_HELP, MAIN_HELP, MCP_HELP, STATUS_HELP } from './help.js';
import {
  commandAnswerer,
  fixedAnswerer,
  interactiveAnswerer,
  LineReader,
  type LlmAnswerer,
} from './llm.js';
import { runMcp } from './mcp.js';
import { runStatus } from './status.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Env;
  stdin: Readable;
  stdinIsTTY: boolean;
  /** The stdout stream itself, for `airlock mcp` (the protocol is written there). */
  stdoutStream?: Writable;
  version: string;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  onSubmitted?: (executionId: string) => void;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function makeReadScript(stdin: Readable): (file: string) => Promise<string> {
  return async (file) => {
    try {
      return file === '-' ? await readAll(stdin) : await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw usageError(`cannot read the script ${file}: ${code ?? (err as Error).message}`);
    }
  };
}

const HELP: Record<HelpTopic, string> = {
  main: MAIN_HELP,
  exec: EXEC_HELP,
  status: STATUS_HELP,
  mcp: MCP_HELP,
};

/** Runs one invocation; returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const secrets = secretCandidates(argv, io.env);
  const wantsJson = argv.includes('--json');
  let lines: LineReader | undefined;
  let command: Command | undefined;
  try {
    command = parseCommand(argv, io.env);
    switch (command.kind) {
      case 'help':
        io.stdout(HELP[command.topic]);
        return ExitCode.ok;
      case 'version':
        io.stdout(`${io.version}\n`);
        return ExitCode.ok;
      case 'mcp':
        if (io.stdoutStream === undefined) throw new Error('airlock mcp needs a stdout stream');
        return await runMcp(command, {
          stdin: io.stdin,
          stdout: io.stdoutStream,
          stderr: io.stderr,
          version: io.version,
          ...(io.fetch ? { fetch: io.fetch } : {}),
        });
      case 'status':
        return await runStatus(command, {
          stdout: io.stdout,
          ...(io.fetch ? { fetch: io.fetch } : {}),
        });
      case 'exec': {
        let llm: LlmAnswerer | undefined;
        if (command.llmAnswer !== undefined) llm = fixedAnswerer(command.llmAnswer);
        else if (command.llmCommand !== undefined) {
          llm = commandAnswerer(command.llmCommand, io.env, io.stderr);
        } else if (io.stdinIsTTY && command.file !== '-') {
          lines = new LineReader(io.stdin);
          llm = interactiveAnswerer(lines, io.stderr);
        }
        return await runExec(command, {
          stdout: io.stdout,
          stderr: io.stderr,
          readScript: makeReadScript(io.stdin),
          llm,
          ...(io.fetch ? { fetch: io.fetch } : {}),
          ...(io.sleep ? { sleep: io.sleep } : {}),
          ...(io.onSubmitted ? { onSubmitted: io.onSubmitted } : {}),
        });
      }
      default: {
        const unreachable: never = command;
        throw new Error(`unhandled command ${JSON.stringify(unreachable)}`);
      }
    }
  } catch (err) {
    // --json promises one JSON document on stdout, failures included; the human line goes to
    // stderr in both modes so a person watching still sees what happened.
    if (wantsJson && command?.kind !== 'help') io.stdout(renderErrorJson(err, secrets));
    io.stderr(renderError(err, secrets));
    return exitCodeOf(err);
  } finally {
    lines?.close();
  }
}
