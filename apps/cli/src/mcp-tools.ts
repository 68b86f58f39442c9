/**
 * What `airlock mcp`'s tools do, without any MCP in sight: each verb talks to Airlock through
 * the CLI's own client, signing and retries (`client.ts`, `exec.ts`) and returns a structured
 * outcome (the shape its output schema below declares) with a text rendering of it for models
 * that read text. `mcp.ts` registers them and masks everything they return.
 */
import { z } from 'zod';
import type {
  AgentProfile,
  AirlockClient,
  ExecutionPoll,
  NetworkAttempt,
  Requirement,
} from './client.js';
import { CliError, ExitCode } from './errors.js';
import {
  buildSubmitRequest,
  isSettled,
  pollUntilSettled,
  respondWithRetry,
  submitWithRetry,
} from './exec.js';

/** `POST /execute?wait=`: the most the server holds the answer (its own bound is 60 s too). */
export const EXECUTE_WAIT_SECONDS = 60;

/** What one tool call works with: a client bound to the call (cancelled with it), the key. */
export interface ToolContext {
  client: AirlockClient;
  key: { keyId: string; secret: string };
  /** Notices (retries) for the operator: stderr, never the MCP stream. */
  log: (text: string) => void;
  sleep: (ms: number) => Promise<void>;
}

/** A tool's outcome: `structured` matches the tool's output schema; `text` renders it. */
export interface ToolOutcome<T> {
  structured: T;
  text: string;
}

// --- input schemas ------------------------------------------------------------------------------

export const RunPythonInput = z.object({
  script: z
    .string()
    .min(1)
    .describe(
      'Python 3 source. Globals: settings[NAME] (the profile credentials), set_result(value), ' +
        'llm.complete(prompt, model="default"). print() output is returned, with credential ' +
        'values redacted as [REDACTED:NAME].',
    ),
  timeout: z
    .number()
    .int()
    .min(1)
    .max(86_400)
    .optional()
    .describe("The script's time limit in seconds (the server's default and maximum apply)"),
});

export const AnswerLlmInput = z.object({
  execution_id: z.string().min(1).describe('The execution waiting in llm.complete'),
  text: z.string().describe('The answer: what llm.complete returns in the script'),
});

export const DescribeProfileInput = z.object({});

export const InstallPackagesInput = z.object({
  packages: z
    .array(z.string().min(1).max(200))
    .min(1)
    .max(50)
    .describe('pip requirement specs, e.g. ["httpx", "pandas==2.2.*"]'),
});

// --- output schemas -----------------------------------------------------------------------------

const ExecutionStatusSchema = z.enum([
  'pending',
  'running',
  'awaiting_llm',
  'completed',
  'error',
  'timeout',
]);

/** One connection attempt; details of brokered requests pass through as the server sent them. */
const NetworkAttemptSchema = z.looseObject({
  host: z.string(),
  port: z.number(),
  verdict: z.enum(['allowed', 'denied']),
  reason: z.string().optional(),
});

export const RunOutputSchema = z.object({
  execution_id: z.string(),
  status: ExecutionStatusSchema.describe(
    'completed, error or timeout when the run ended; awaiting_llm when it waits for answer_llm',
  ),
  stdout: z.string().describe('Redacted; empty until the run has ended'),
  stderr: z.string().describe('Redacted; empty until the run has ended'),
  result: z.unknown().describe('The JSON value passed to set_result, or null'),
  error: z.string().nullable().describe('The traceback or reason when status is error/timeout'),
  network: z.array(NetworkAttemptSchema).describe("The script's connection attempts and verdicts"),
  execution_time_ms: z.number().nullable(),
  llm_request: z
    .object({ prompt: z.string(), model: z.string() })
    .nullable()
    .describe('While awaiting_llm: what llm.complete asked; answer it with answer_llm'),
});
export type RunOutput = z.infer<typeof RunOutputSchema>;

const DeliverySchema = z.object({
  mode: z.enum(['inject', 'broker']),
  hosts: z.array(z.string()).optional(),
});

const PackageSchema = z.object({
  name: z.string(),
  spec: z.string(),
  version: z.string().nullable(),
  scope: z.string().describe('"shared" (every profile) or this profile\'s id'),
});

export const ProfileOutputSchema = z.object({
  profile: z.object({
    id: z.string(),
    description: z.string(),
    key_id: z.string().nullable(),
    locked: z.boolean(),
    revoked: z.boolean(),
    expired: z.boolean(),
    expires_at: z.string().nullable(),
  }),
  credentials: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      value_exists: z.boolean(),
      delivery: DeliverySchema.describe(
        'inject: settings[NAME] holds the value. broker: settings[NAME] holds a placeholder that ' +
          'the egress proxy replaces with the value only in HTTP requests to the hosts',
      ),
    }),
  ),
  network: z.object({
    mode: z.enum(['none', 'allowlist', 'open']),
    allow: z.array(z.string()),
  }),
  packages: z.array(PackageSchema).describe('Installed through Airlock for this profile'),
});
export type ProfileOutput = z.infer<typeof ProfileOutputSchema>;

export const InstallOutputSchema = z.object({
  installed: z.array(z.object({ name: z.string(), version: z.string() })),
  packages: z.array(PackageSchema).describe("Everything this profile's scripts can now import"),
});
export type InstallOutput = z.infer<typeof InstallOutputSchema>;

// --- verbs --------------------------------------------------------------------------------------

/**
 * Signs (version 2) and submits with `?wait=`, then long-polls until the run has ended or pauses
 * in `llm.complete`. Retries resend the same signed request (ADR 0060): never a second run.
 */
export async function runPython(
  ctx: ToolContext,
  input: z.infer<typeof RunPythonInput>,
): Promise<ToolOutcome<RunOutput>> {
  const req = buildSubmitRequest(
    { ...ctx.key, timeout: input.timeout, signatureVersion: 2 },
    input.script,
  );
  const submitted = await submitWithRetry(
    ctx.client,
    { ...req, waitSeconds: EXECUTE_WAIT_SECONDS },
    ctx.log,
    ctx.sleep,
  );
  // A 202 (`poll_url`: accepted, not settled within the wait) is followed by polls; a 200 with
  // a settled status is already the poll body.
  const state =
    'poll_url' in submitted || !isSettled(submitted)
      ? await pollUntilSettled(ctx.client, submitted.execution_id, ctx.log, ctx.sleep)
      : submitted;
  return runOutcome(state);
}

/** Answers a paused `llm.complete`, then waits like `runPython`. */
export async function answerLlm(
  ctx: ToolContext,
  input: z.infer<typeof AnswerLlmInput>,
): Promise<ToolOutcome<RunOutput>> {
  await respondWithRetry(ctx.client, input.execution_id, input.text, ctx.log, ctx.sleep);
  return runOutcome(await pollUntilSettled(ctx.client, input.execution_id, ctx.log, ctx.sleep));
}

/**
 * The key's profile. Key ids are public (`GET /profiles`), so the key is first proven with a
 * signed request (`GET /executions?limit=1`): a wrong secret, a revoked or expired profile is
 * the server's refusal here, not a description of a profile the key cannot use.
 */
export async function describeProfile(ctx: ToolContext): Promise<ToolOutcome<ProfileOutput>> {
  await ctx.client.listExecutions(ctx.key, 1);
  const [profile, packages] = await Promise.all([ownProfile(ctx), ctx.client.requirements()]);
  const structured = profileOutput(profile, packages);
  return { structured, text: renderProfile(structured) };
}

/** The profile whose key id is ours, from the public list. */
async function ownProfile(ctx: ToolContext): Promise<AgentProfile> {
  const profile = (await ctx.client.profiles()).find((p) => p.key_id === ctx.key.keyId);
  if (profile === undefined) {
    throw new CliError(`no profile has the key id ${ctx.key.keyId}`, ExitCode.server);
  }
  return profile;
}

/** `POST /requirements`, signed: installs for this profile's scripts alone. */
export async function installPackages(
  ctx: ToolContext,
  input: z.infer<typeof InstallPackagesInput>,
): Promise<ToolOutcome<InstallOutput>> {
  const r = await ctx.client.installRequirements(ctx.key, input.packages);
  // The answer lists every scope; this profile's scripts see the shared ones and their own.
  const profile = await ownProfile(ctx);
  const structured: InstallOutput = {
    installed: r.installed.map((p) => ({ name: p.name, version: p.version })),
    packages: visiblePackages(r.packages, profile.id),
  };
  return { structured, text: renderInstall(structured) };
}

// --- shapes and renderings ----------------------------------------------------------------------

/** The tool output of a settled poll body: every field present, absent ones null or empty. */
export function runOutput(state: ExecutionPoll): RunOutput {
  const llm =
    state.status === 'awaiting_llm'
      ? {
          prompt: state.llm_request?.prompt ?? state.prompt ?? '',
          model: state.llm_request?.model ?? 'default',
        }
      : null;
  return {
    execution_id: state.execution_id,
    status: state.status,
    stdout: state.stdout ?? '',
    stderr: state.stderr ?? '',
    result: state.result ?? null,
    error: state.error ?? null,
    network: (state.network ?? []).map((a: NetworkAttempt) => ({ ...a })),
    execution_time_ms: state.execution_time_ms ?? null,
    llm_request: llm,
  };
}

function runOutcome(state: ExecutionPoll): ToolOutcome<RunOutput> {
  const structured = runOutput(state);
  return { structured, text: renderRun(structured) };
}

function section(title: string, body: string): string {
  return `--- ${title} ---\n${body.endsWith('\n') ? body : `${body}\n`}`;
}

/** The text content of a run: what happened, then each non-empty part. */
export function renderRun(out: RunOutput): string {
  if (out.status === 'awaiting_llm' && out.llm_request) {
    return [
      `Execution ${out.execution_id} is paused in llm.complete (model "${out.llm_request.model}") ` +
        'and waits for your answer.\n',
      section('prompt', out.llm_request.prompt),
      `Answer it with the answer_llm tool: {"execution_id": "${out.execution_id}", "text": ` +
        '"<your answer>"}. The script goes on with your text as the return value of ' +
        "llm.complete; unanswered, it ends at the server's LLM wait limit.\n",
    ].join('');
  }
  const time = out.execution_time_ms === null ? '' : ` in ${out.execution_time_ms} ms`;
  const parts = [`Execution ${out.execution_id} ${out.status}${time}.\n`];
  if (out.stdout) parts.push(section('stdout', out.stdout));
  if (out.stderr) parts.push(section('stderr', out.stderr));
  if (out.result !== null && out.result !== undefined) {
    parts.push(section('result', JSON.stringify(out.result, null, 2)));
  }
  if (out.error) parts.push(section('error', out.error));
  if (out.network.length > 0) {
    const lines = out.network.map(
      (a) => `${a.verdict} ${a.host}:${a.port}${a.reason ? ` (${a.reason})` : ''}`,
    );
    parts.push(section('network', lines.join('\n')));
  }
  return parts.join('');
}

/** Shared packages and the profile's own (scope: its id): what the profile's scripts import. */
function visiblePackages(all: readonly Requirement[], profileId: string) {
  return all
    .filter((p) => p.scope === 'shared' || p.scope === profileId)
    .map((p) => ({ name: p.name, spec: p.spec, version: p.version, scope: p.scope }));
}

export function profileOutput(
  profile: AgentProfile,
  packages: readonly Requirement[],
): ProfileOutput {
  return {
    profile: {
      id: profile.id,
      description: profile.description,
      key_id: profile.key_id,
      locked: profile.locked,
      revoked: profile.revoked,
      expired: profile.expired,
      expires_at: profile.expires_at,
    },
    credentials: profile.credentials.map((c) => ({
      name: c.name,
      description: c.description,
      value_exists: c.value_exists,
      delivery:
        c.delivery.mode === 'broker'
          ? { mode: 'broker', hosts: [...c.delivery.hosts] }
          : { mode: 'inject' },
    })),
    network: { mode: profile.network.mode, allow: [...profile.network.allow] },
    packages: visiblePackages(packages, profile.id),
  };
}

function describeNetwork(n: ProfileOutput['network']): string {
  if (n.mode === 'none') return 'none: scripts have no network at all';
  if (n.mode === 'open') return 'open: any public address (never loopback or private ranges)';
  return `allowlist: only ${n.allow.join(', ')}`;
}

export function renderProfile(out: ProfileOutput): string {
  const p = out.profile;
  const state = [
    p.locked ? 'locked' : 'unlocked',
    ...(p.revoked ? ['REVOKED'] : []),
    ...(p.expired ? ['EXPIRED'] : []),
    p.expires_at ? `expires ${p.expires_at}` : 'no expiry',
  ].join(', ');
  const lines = [`Profile ${p.id}${p.description ? ` "${p.description}"` : ''} (${state})`];
  lines.push('', 'Credentials (settings[NAME] in a script):');
  if (out.credentials.length === 0) lines.push('- none');
  for (const c of out.credentials) {
    const how =
      c.delivery.mode === 'broker'
        ? `brokered to ${(c.delivery.hosts ?? []).join(', ')}: settings["${c.name}"] is a ` +
          'placeholder the egress proxy replaces with the value only in HTTP requests to those hosts'
        : `injected: settings["${c.name}"] is the value (redacted from all output)`;
    const missing = c.value_exists ? '' : ' [no value set yet]';
    lines.push(`- ${c.name}${c.description ? ` (${c.description})` : ''}: ${how}${missing}`);
  }
  lines.push('', `Network: ${describeNetwork(out.network)}`);
  lines.push('', 'Packages installed through Airlock:');
  if (out.packages.length === 0) lines.push('- none (the system python3 packages are available)');
  for (const pkg of out.packages) {
    lines.push(`- ${pkg.name} ${pkg.version ?? '?'} (${pkg.spec}; ${pkg.scope})`);
  }
  return `${lines.join('\n')}\n`;
}

function renderInstall(out: InstallOutput): string {
  const installed = out.installed.map((p) => `${p.name} ${p.version}`).join(', ');
  return `Installed: ${installed || 'nothing new'}.\n${out.packages.length} package(s) importable.\n`;
}
