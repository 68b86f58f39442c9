/**
 * Command-line parsing (node:util `parseArgs`, strict) merged with the environment. Pure: takes
 * argv and env, returns a `Command` or throws a usage `CliError`; nothing here touches a process.
 */
import { parseArgs } from 'node:util';
import { isValidKeyId, parseProfileKey } from '@airlock/auth';
import { usageError } from './errors.js';

export const DEFAULT_URL = 'http://localhost:9090';
export const DEFAULT_STATUS_LIMIT = 10;

export type Env = Readonly<Record<string, string | undefined>>;

export interface ExecCommand {
  kind: 'exec';
  /** A path, or `-` for stdin. */
  file: string;
  url: string;
  keyId: string;
  secret: string;
  /** Seconds; absent means the server's default. */
  timeout: number | undefined;
  signatureVersion: 1 | 2;
  json: boolean;
  verbose: boolean;
  llmCommand: string | undefined;
  llmAnswer: string | undefined;
}

export interface StatusCommand {
  kind: 'status';
  url: string;
  /** The full key: listing executions is a request signed with its secret. Absent without a key. */
  key: { keyId: string; secret: string } | undefined;
  limit: number;
  json: boolean;
}

/** `airlock mcp`: an MCP server on stdio, acting with one profile key. */
export interface McpCommand {
  kind: 'mcp';
  url: string;
  keyId: string;
  secret: string;
}

export type HelpTopic = 'main' | 'exec' | 'status' | 'mcp';

export type Command =
  | { kind: 'help'; topic: HelpTopic }
  | { kind: 'version' }
  | ExecCommand
  | StatusCommand
  | McpCommand;

const COMMANDS = 'exec, status and mcp';

const KEY_FORMAT = 'ark_<24 lowercase letters or digits>:<48 letters or digits>';

/** Why a key was refused, in words; never quotes the key itself. */
function keyProblem(reason: string): string {
  switch (reason) {
    case 'missing_separator':
      return 'it has no ":" between key id and secret';
    case 'malformed_key_id':
      return 'the part before ":" is not a key id';
    case 'malformed_secret':
      return 'the part after ":" is not a 48-character secret';
    default:
      return 'it is not a string';
  }
}

export function resolveUrl(flag: string | undefined, env: Env): string {
  const raw = flag ?? (env.AIRLOCK_URL || undefined) ?? DEFAULT_URL;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw usageError(`--url is not a URL: ${raw}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw usageError(`--url must be http:// or https://, not ${u.protocol}`);
  }
  if (u.search || u.hash) throw usageError('--url must not have a query or fragment');
  return raw.replace(/\/+$/, '');
}

function resolveKey(flag: string | undefined, env: Env): { keyId: string; secret: string } {
  const raw = flag ?? (env.AIRLOCK_KEY || undefined);
  if (raw === undefined) {
    throw usageError('no profile key: pass --key or set AIRLOCK_KEY (ark_<key id>:<secret>)');
  }
  const parsed = parseProfileKey(raw.trim());
  if (!parsed.ok) {
    throw usageError(
      `the profile key is malformed: ${keyProblem(parsed.reason)} (expected ${KEY_FORMAT})`,
    );
  }
  return { keyId: parsed.keyId, secret: parsed.secret };
}

function positiveInt(name: string, value: string, max: number): number {
  if (!/^[0-9]+$/.test(value)) throw usageError(`${name} must be a whole number, not "${value}"`);
  const n = Number(value);
  if (n < 1 || n > max) throw usageError(`${name} must be between 1 and ${max}`);
  return n;
}

/** parseArgs throws TypeErrors with an `ERR_PARSE_ARGS_*` code; make them usage errors. */
function guarded<R>(parse: () => R): R {
  try {
    return parse();
  } catch (err) {
    if (
      err instanceof TypeError &&
      'code' in err &&
      String(err.code).startsWith('ERR_PARSE_ARGS')
    ) {
      throw usageError(err.message);
    }
    throw err;
  }
}

function parseExec(args: string[], env: Env): Command {
  const { values, positionals } = guarded(() =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        key: { type: 'string', short: 'k' },
        url: { type: 'string', short: 'u' },
        timeout: { type: 'string', short: 't' },
        v1: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        'llm-command': { type: 'string' },
        'llm-answer': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) return { kind: 'help', topic: 'exec' };
  if (positionals.length === 0) throw usageError('exec needs a script file (or - for stdin)');
  if (positionals.length > 1) {
    throw usageError(`exec takes one script file, got ${positionals.length} arguments`);
  }
  if (values['llm-command'] !== undefined && values['llm-answer'] !== undefined) {
    throw usageError('use either --llm-command or --llm-answer, not both');
  }
  if (values['llm-command'] !== undefined && values['llm-command'].trim() === '') {
    throw usageError('--llm-command is empty');
  }
  const url = resolveUrl(values.url, env);
  const { keyId, secret } = resolveKey(values.key, env);
  return {
    kind: 'exec',
    file: positionals[0] as string,
    url,
    keyId,
    secret,
    // The server enforces its own maximum (600 s by default); this only rejects nonsense.
    timeout:
      values.timeout === undefined ? undefined : positiveInt('--timeout', values.timeout, 86_400),
    signatureVersion: values.v1 ? 1 : 2,
    json: values.json,
    verbose: values.verbose,
    llmCommand: values['llm-command'],
    llmAnswer: values['llm-answer'],
  };
}

function parseStatus(args: string[], env: Env): Command {
  const { values, positionals } = guarded(() =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        key: { type: 'string', short: 'k' },
        url: { type: 'string', short: 'u' },
        limit: { type: 'string', short: 'n' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) return { kind: 'help', topic: 'status' };
  if (positionals.length > 0)
    throw usageError(`status takes no arguments, got "${positionals[0]}"`);
  const url = resolveUrl(values.url, env);
  // Listing executions proves possession of the key secret (a key id is public), so it needs the
  // whole key; with no key at all, status shows the server's health alone.
  const raw = values.key ?? (env.AIRLOCK_KEY || undefined);
  let key: { keyId: string; secret: string } | undefined;
  if (raw !== undefined) {
    if (isValidKeyId(raw.trim())) {
      throw usageError(
        'status needs the whole key ark_<id>:<secret> to list executions (a key id alone is public)',
      );
    }
    key = resolveKey(raw, {});
  }
  return {
    kind: 'status',
    url,
    key,
    limit:
      values.limit === undefined ? DEFAULT_STATUS_LIMIT : positiveInt('--limit', values.limit, 100),
    json: values.json,
  };
}

function parseMcp(args: string[], env: Env): Command {
  const { values, positionals } = guarded(() =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        key: { type: 'string', short: 'k' },
        url: { type: 'string', short: 'u' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) return { kind: 'help', topic: 'mcp' };
  if (positionals.length > 0) throw usageError(`mcp takes no arguments, got "${positionals[0]}"`);
  // Checked before serving: an MCP client shows a server that exits at once with its stderr,
  // which says what to fix; one that starts and then fails every call says it less clearly.
  const url = resolveUrl(values.url, env);
  const { keyId, secret } = resolveKey(values.key, env);
  return { kind: 'mcp', url, keyId, secret };
}

/** Parses `argv` (without node and the script path) into a command. Throws usage errors. */
export function parseCommand(argv: readonly string[], env: Env): Command {
  const [first, ...rest] = argv;
  switch (first) {
    case undefined:
    case '-h':
    case '--help':
      return { kind: 'help', topic: 'main' };
    case '--version':
    case '-V':
      return { kind: 'version' };
    case 'help': {
      const topic = rest[0];
      if (topic === undefined) return { kind: 'help', topic: 'main' };
      if (topic === 'exec' || topic === 'status' || topic === 'mcp') {
        return { kind: 'help', topic };
      }
      throw usageError(`no help for "${topic}"; commands are ${COMMANDS}`);
    }
    case 'exec':
      return parseExec(rest, env);
    case 'status':
      return parseStatus(rest, env);
    case 'mcp':
      return parseMcp(rest, env);
    default:
      throw usageError(
        first.startsWith('-')
          ? `put options after the command: airlock exec ${first} …`
          : `unknown command "${first}"; commands are ${COMMANDS} (airlock --help)`,
      );
  }
}

/**
 * Every string that might be (part of) a key secret in this invocation, for masking: the value
 * of `--key`/`-k`, anything shaped like `ark_…:…`, and AIRLOCK_KEY. Collected from raw argv so
 * that even an argument that failed to parse is masked.
 */
export function secretCandidates(argv: readonly string[], env: Env): string[] {
  const out: string[] = [];
  const add = (v: string | undefined) => {
    if (!v) return;
    out.push(v);
    const i = v.indexOf(':');
    if (i >= 0) out.push(v.slice(i + 1));
  };
  argv.forEach((a, i) => {
    if (a === '--key' || a === '-k') add(argv[i + 1]);
    else if (a.startsWith('--key=')) add(a.slice('--key='.length));
    else if (a.startsWith('-k') && a.length > 2) add(a.slice(2));
    else if (a.includes(':') && a.includes('ark_')) add(a.slice(a.indexOf('ark_')));
  });
  add(env.AIRLOCK_KEY);
  return out.filter((s) => s.trim().length > 0).map((s) => s.trim());
}
