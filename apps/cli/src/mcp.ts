/**
 * `airlock mcp`: a Model Context Protocol server on stdio (the official TypeScript SDK, v2 line:
 * ADR 0086) exposing Airlock to an agent's MCP client with one profile key. The tools' logic is
 * in `mcp-tools.ts`; this module registers them, turns failures into tool errors, and is the one
 * place their output leaves: every text and structured value passes `mask`, so the key secret
 * cannot reach the client whatever a server, a script or an error message carries.
 */
import type { Readable, Writable } from 'node:stream';
import {
  type CallToolResult,
  McpServer,
  type ReadResourceResult,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import type { McpCommand } from './args.js';
import { AirlockClient, type FetchLike } from './client.js';
import { ExitCode, type ExitCodeValue, mask, maskDeep, renderError } from './errors.js';
import {
  AnswerLlmInput,
  answerLlm,
  DescribeProfileInput,
  describeProfile,
  InstallOutputSchema,
  InstallPackagesInput,
  installPackages,
  ProfileOutputSchema,
  RunOutputSchema,
  RunPythonInput,
  runPython,
  type ToolContext,
  type ToolOutcome,
} from './mcp-tools.js';

export const SKILL_URI = 'airlock://skill.md';

const INSTRUCTIONS = `Airlock runs Python scripts in a sandbox with the credentials of one profile, \
so you can use an API key without ever seeing it. Start with describe_profile (which credentials \
a script gets as settings[NAME], how each is delivered, the network policy, installed packages) \
and read the resource ${SKILL_URI} for the in-script API. run_python runs a script and returns \
its output with credential values redacted as [REDACTED:NAME]; when the script calls \
llm.complete it pauses (status awaiting_llm) until you reply with answer_llm.`;

export interface McpConfig {
  url: string;
  key: { keyId: string; secret: string };
  version: string;
  /** Operator notices (retries, transport errors): stderr. Masked here. */
  log: (text: string) => void;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
}

/** The strings that must never leave: the whole key (first: it contains the secret), the secret. */
function secretsOf(key: McpConfig['key']): string[] {
  return [`${key.keyId}:${key.secret}`, key.secret];
}

class Cancelled extends Error {
  constructor() {
    super('the client cancelled the request');
    this.name = 'Cancelled';
  }
}

/** A sleep that ends (rejecting) when the MCP request is cancelled, so waits stop with it. */
function cancellableSleep(signal: AbortSignal): (ms: number) => Promise<void> {
  return (ms) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new Cancelled());
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Cancelled());
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
}

/** A client whose requests are aborted with the MCP request that made them. */
function toolContext(cfg: McpConfig, signal: AbortSignal): ToolContext {
  const base = cfg.fetch ?? ((input, init) => fetch(input, init));
  const secrets = secretsOf(cfg.key);
  return {
    client: new AirlockClient({
      baseUrl: cfg.url,
      fetch: (input, init) => base(input, { ...init, signal }),
    }),
    key: cfg.key,
    log: (text) => cfg.log(mask(text, secrets)),
    sleep: cfg.sleep ?? cancellableSleep(signal),
  };
}

/** Runs a verb; its outcome becomes text plus structured content, a failure a tool error. */
function toolHandler<A>(
  cfg: McpConfig,
  verb: (ctx: ToolContext, args: A) => Promise<ToolOutcome<object>>,
): (args: A, extra: ServerContext) => Promise<CallToolResult> {
  const secrets = secretsOf(cfg.key);
  return async (args, extra) => {
    try {
      const out = await verb(toolContext(cfg, extra.mcpReq.signal), args);
      return {
        content: [{ type: 'text', text: mask(out.text, secrets) }],
        structuredContent: maskDeep(out.structured, secrets) as Record<string, unknown>,
      };
    } catch (err) {
      // The server's refusal (401 key, 403 signature, 409 state, 422 input…) with its detail:
      // a result the model can read and act on, never a protocol failure or a crash.
      return {
        isError: true,
        content: [{ type: 'text', text: renderError(err, secrets).trimEnd() }],
      };
    }
  };
}

/** The MCP server for one connection: four tools and the skill resource. */
export function createAirlockMcpServer(cfg: McpConfig): McpServer {
  const server = new McpServer(
    { name: 'airlock', version: cfg.version },
    { instructions: INSTRUCTIONS },
  );
  server.registerTool(
    'run_python',
    {
      title: 'Run Python in Airlock',
      description:
        "Runs a Python script in Airlock's sandbox with this profile's credentials " +
        '(settings[NAME]) and returns its redacted stdout, stderr, set_result value, error and ' +
        'network log. If the script calls llm.complete, the run pauses: status awaiting_llm, ' +
        'with the prompt; reply with answer_llm.',
      inputSchema: RunPythonInput,
      outputSchema: RunOutputSchema,
      annotations: { readOnlyHint: false, openWorldHint: true },
    },
    toolHandler(cfg, runPython),
  );
  server.registerTool(
    'answer_llm',
    {
      title: 'Answer llm.complete',
      description:
        'Answers the llm.complete call an execution is paused in (status awaiting_llm); the ' +
        'text is what llm.complete returns in the script. Then waits like run_python and ' +
        'returns the same shape: the finished run, or its next prompt.',
      inputSchema: AnswerLlmInput,
      outputSchema: RunOutputSchema,
      annotations: { readOnlyHint: false, openWorldHint: true },
    },
    toolHandler(cfg, answerLlm),
  );
  server.registerTool(
    'describe_profile',
    {
      title: "Describe this key's profile",
      description:
        'The profile this key belongs to: its credentials (names, descriptions, and delivery: ' +
        'inject puts the value in settings[NAME]; broker puts a placeholder there that the ' +
        'egress proxy swaps for the value only in HTTP requests to the listed hosts), its ' +
        'network policy, and the packages installed for it. Never a value.',
      // No arguments; an empty object schema still (tools/call hands the handler args, ctx).
      inputSchema: DescribeProfileInput,
      outputSchema: ProfileOutputSchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    toolHandler(cfg, (ctx) => describeProfile(ctx)),
  );
  server.registerTool(
    'install_packages',
    {
      title: 'Install Python packages',
      description:
        "Installs pip packages for this profile's scripts (a signed POST /requirements). " +
        "A failed install returns the installer's output as the error.",
      inputSchema: InstallPackagesInput,
      outputSchema: InstallOutputSchema,
      annotations: { readOnlyHint: false, idempotentHint: true, openWorldHint: true },
    },
    toolHandler(cfg, installPackages),
  );
  server.registerResource(
    'skill',
    SKILL_URI,
    {
      title: 'Airlock agent guide',
      description:
        "This instance's /skill.md, fetched live: the in-script API, signing, profiles, errors",
      mimeType: 'text/markdown',
    },
    async (uri, extra): Promise<ReadResourceResult> => {
      const secrets = secretsOf(cfg.key);
      try {
        const text = await toolContext(cfg, extra.mcpReq.signal).client.skill();
        return {
          contents: [{ uri: uri.href, mimeType: 'text/markdown', text: mask(text, secrets) }],
        };
      } catch (err) {
        throw new Error(renderError(err, secrets).trimEnd());
      }
    },
  );
  return server;
}

/** The stdio transport, telling when it has closed (stdin ended, or the stream failed). */
class WatchedStdioTransport extends StdioServerTransport {
  readonly closed: Promise<void>;
  private markClosed: () => void = () => {};

  constructor(stdin: Readable, stdout: Writable) {
    super(stdin, stdout);
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
  }

  override async close(): Promise<void> {
    await super.close();
    this.markClosed();
  }
}

export interface McpIo {
  stdin: Readable;
  stdout: Writable;
  stderr: (text: string) => void;
  version: string;
  fetch?: FetchLike;
}

/**
 * Serves until the client closes stdin; exit 0. Both protocol eras are served (the SDK's
 * `serveStdio` picks per connection): 2025-era clients such as today's Claude Code, and
 * 2026-07-28 ones.
 */
export async function runMcp(cmd: McpCommand, io: McpIo): Promise<ExitCodeValue> {
  const key = { keyId: cmd.keyId, secret: cmd.secret };
  const secrets = secretsOf(key);
  const log = (text: string) => io.stderr(mask(text, secrets));
  const cfg: McpConfig = {
    url: cmd.url,
    key,
    version: io.version,
    log,
    ...(io.fetch ? { fetch: io.fetch } : {}),
  };
  const transport = new WatchedStdioTransport(io.stdin, io.stdout);
  const handle = serveStdio(() => createAirlockMcpServer(cfg), {
    transport,
    onerror: (err) => log(`airlock mcp: ${err.message}\n`),
  });
  log(`airlock mcp: serving ${cmd.url} with key ${cmd.keyId} on stdio\n`);
  await transport.closed;
  await handle.close();
  return ExitCode.ok;
}
