/**
 * `airlock exec`: sign, submit (retrying safely), long-poll, answer LLM pauses, print the outcome
 * and map it to an exit code. Everything process-specific comes in through `ExecIo`.
 */
import { signV1, signV2 } from '@airlock/auth';
import type { ExecCommand } from './args.js';
import {
  AirlockClient,
  type ExecutionPoll,
  type FetchLike,
  NetworkError,
  type SubmitRequest,
  type Submitted,
  TERMINAL_STATUSES,
} from './client.js';
import { CliError, ExitCode, type ExitCodeValue, usageError } from './errors.js';
import { followLive, type LiveResult } from './live.js';
import type { LlmAnswerer } from './llm.js';

/**
 * Seconds successive long-polls ask the server to hold the request, restarting after the submit
 * and after each LLM answer. Why not always 30: the server holds a poll while the execution is in
 * any non-final status, `awaiting_llm` included, so a poll that arrives just after the script
 * paused would sit out its whole wait while the script waits for us. Starting short bounds that
 * race to a second or two where it is likeliest (right after we gave the script something to do);
 * later polls are long, and a pause while one is held ends it at once.
 */
export const POLL_WAITS_SECONDS: readonly number[] = [0, 1, 2, 4, 8, 15, 30];
/** Attempts to submit before giving up (network errors for v2, queue-full answers for both). */
export const SUBMIT_ATTEMPTS = 4;
/** Consecutive failed polls tolerated (a poll is a read, so retrying it is always safe). */
export const POLL_ATTEMPTS = 5;
/** Longest Retry-After the CLI honours before trying again anyway. */
const MAX_RETRY_AFTER_SECONDS = 30;

export interface ExecIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads the script (`-` is stdin); throws a usage error when it cannot. */
  readScript: (file: string) => Promise<string>;
  /** How to answer `llm.complete`; `undefined` when nobody can (a prompt is then an error). */
  llm: LlmAnswerer | undefined;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  /** Told the execution id once the server accepted the script (main uses it on Ctrl-C). */
  onSubmitted?: (executionId: string) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The exit code for a terminal status. */
export function exitCodeForStatus(status: string): ExitCodeValue {
  if (status === 'completed') return ExitCode.ok;
  if (status === 'timeout') return ExitCode.timeout;
  return ExitCode.scriptError;
}

/** Builds the signed `POST /execute` request once, so every retry sends the very same nonce. */
export function buildSubmitRequest(
  cmd: Pick<ExecCommand, 'keyId' | 'secret' | 'timeout' | 'signatureVersion'>,
  script: string,
): SubmitRequest {
  const body: SubmitRequest['body'] = { script, hash: '' };
  if (cmd.timeout !== undefined) body.timeout = cmd.timeout;
  if (cmd.signatureVersion === 1) {
    body.hash = signV1(cmd.secret, script);
    return { keyId: cmd.keyId, body };
  }
  const signed = signV2(cmd.secret, script);
  body.hash = signed.hash;
  return { keyId: cmd.keyId, body, headers: { ...signed.headers } };
}

/**
 * Submits with retries. A network error is retried for version 2: the server recognises the
 * repeated nonce and answers with the original execution, so the script never runs twice. A
 * version-1 request has no such identity, and retrying it after a lost answer could run the
 * script again, so it is retried only when the connection was never made (refused, DNS). A
 * 429/503 (queue full, nothing stored) is retried for both after Retry-After.
 */
export async function submitWithRetry(
  client: AirlockClient,
  req: SubmitRequest,
  log: (text: string) => void,
  sleep: (ms: number) => Promise<void>,
): Promise<Submitted> {
  const v2 = req.headers !== undefined;
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= SUBMIT_ATTEMPTS;
    try {
      const r = await client.submit(req);
      if ('execution_id' in r) return r;
      if (last) throw r.error;
      const wait = Math.min(r.retryAfterSeconds, MAX_RETRY_AFTER_SECONDS);
      log(`airlock: server busy (HTTP ${r.error.status}); retrying in ${wait} s\n`);
      await sleep(wait * 1000);
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      if (!v2 && !err.neverSent) {
        throw new CliError(
          `${err.message} (a version-1 request is not retried: it could run the script twice)`,
          ExitCode.server,
        );
      }
      if (last) throw err;
      const wait = 500 * 2 ** (attempt - 1);
      const how = v2 ? 'with the same nonce ' : '';
      log(`airlock: ${err.message}; retrying ${how}in ${wait} ms\n`);
      await sleep(wait);
    }
  }
}

export async function pollWithRetry(
  client: AirlockClient,
  id: string,
  waitSeconds: number,
  log: (text: string) => void,
  sleep: (ms: number) => Promise<void>,
): Promise<ExecutionPoll> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.poll(id, waitSeconds);
    } catch (err) {
      if (!(err instanceof NetworkError) || attempt >= POLL_ATTEMPTS) throw err;
      log(`airlock: ${err.message}; polling again\n`);
      await sleep(1000 * attempt);
    }
  }
}

/**
 * Sends an answer. Retried only when the connection was never made: if an answer did arrive and
 * only its reply was lost, the script may already be paused at its next `llm.complete`, and a
 * repeat would answer that prompt with this answer. A 409 (the execution moved on: its LLM wait
 * timed out, say) is thrown like any refusal; callers decide what it means to them.
 */
export async function respondWithRetry(
  client: AirlockClient,
  id: string,
  answer: string,
  log: (text: string) => void,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.respond(id, answer);
      return;
    } catch (err) {
      if (!(err instanceof NetworkError && err.neverSent) || attempt >= POLL_ATTEMPTS) throw err;
      log(`airlock: ${err.message}; answering again\n`);
      await sleep(1000 * attempt);
    }
  }
}

/** True once there is something for the agent to do: the run finished, or it waits for an LLM. */
export function isSettled(state: Pick<ExecutionPoll, 'status'>): boolean {
  return TERMINAL_STATUSES.includes(state.status) || state.status === 'awaiting_llm';
}

/**
 * Long-polls (`POLL_WAITS_SECONDS`, from the first) until the execution is terminal or
 * `awaiting_llm`, and returns that poll body.
 */
export async function pollUntilSettled(
  client: AirlockClient,
  executionId: string,
  log: (text: string) => void,
  sleep: (ms: number) => Promise<void>,
): Promise<ExecutionPoll> {
  for (let step = 0; ; step++) {
    const wait = POLL_WAITS_SECONDS[Math.min(step, POLL_WAITS_SECONDS.length - 1)] ?? 30;
    const state = await pollWithRetry(client, executionId, wait, log, sleep);
    if (isSettled(state)) return state;
  }
}

/** Long-polls until a terminal status, answering every `awaiting_llm` on the way. */
export async function waitForOutcome(
  client: AirlockClient,
  executionId: string,
  io: Pick<ExecIo, 'llm'>,
  log: (text: string) => void,
  sleep: (ms: number) => Promise<void>,
): Promise<ExecutionPoll> {
  for (;;) {
    // The waits restart after the submit and after each answer (ADR 0060).
    const state = await pollUntilSettled(client, executionId, log, sleep);
    if (TERMINAL_STATUSES.includes(state.status)) return state;
    const prompt = state.llm_request?.prompt ?? state.prompt ?? '';
    const model = state.llm_request?.model ?? 'default';
    if (io.llm === undefined) {
      throw usageError(
        `execution ${executionId} is waiting for an llm.complete answer, and there is no way to ` +
          'give one: pass --llm-answer TEXT or --llm-command CMD, or run in a terminal',
      );
    }
    log(`airlock: answering llm.complete (model ${model})\n`);
    const answer = await io.llm(prompt, model);
    try {
      await respondWithRetry(client, executionId, answer, log, sleep);
    } catch (err) {
      // The execution moved on (its LLM wait timed out, say): the next poll shows where to.
      if (!(err instanceof CliError && err.status === 409)) throw err;
      log(`airlock: ${err.message}\n`);
    }
  }
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * Human output: the script's stdout on stdout and its stderr on stderr (as Airlock returns them,
 * at the end, unless `outputShown`: they were printed live), then on success the result as
 * pretty JSON on stdout (nothing when it is null); on failure the traceback or reason on stderr.
 */
export function renderOutcome(
  state: ExecutionPoll,
  io: Pick<ExecIo, 'stdout' | 'stderr'>,
  outputShown = false,
): void {
  const out = state.stdout ?? '';
  if (out && !outputShown) io.stdout(out);
  if (state.stderr && !outputShown) io.stderr(withNewline(state.stderr));
  if (state.status === 'completed') {
    if (state.result !== null && state.result !== undefined) {
      // The result starts on a line of its own even when the script's output did not end one.
      if (out && !out.endsWith('\n')) io.stdout('\n');
      io.stdout(`${JSON.stringify(state.result, null, 2)}\n`);
    }
    return;
  }
  const reason = state.error ?? `the execution ended with status ${state.status}`;
  if (state.status === 'timeout') io.stderr(`airlock: timeout: ${withNewline(reason)}`);
  else io.stderr(withNewline(reason));
}

/** Runs `airlock exec`; returns the exit code. Throws `CliError` for usage and server failures. */
export async function runExec(cmd: ExecCommand, io: ExecIo): Promise<ExitCodeValue> {
  const sleep = io.sleep ?? defaultSleep;
  // Progress lines are for people; --verbose turns them on (they always go to stderr).
  const log = cmd.verbose ? io.stderr : () => {};
  const script = await io.readScript(cmd.file);
  if (script.trim() === '') throw usageError(`the script ${cmd.file} is empty`);
  const client = new AirlockClient({ baseUrl: cmd.url, ...(io.fetch ? { fetch: io.fetch } : {}) });
  // --json prints only the end: one round trip when the run ends within a minute. For people
  // the output is followed live from the start (the events stream also brings the end).
  const signed = buildSubmitRequest(cmd, script);
  const req = cmd.json ? { ...signed, waitSeconds: 60 } : signed;
  // Retry notices are shown even without --verbose: a slow start should say why.
  const accepted = await submitWithRetry(client, req, io.stderr, sleep);
  const id = accepted.execution_id;
  io.onSubmitted?.(id);
  log(`airlock: submitted ${id} (signature v${cmd.signatureVersion})\n`);
  const finished = !('poll_url' in accepted) && TERMINAL_STATUSES.includes(accepted.status);
  const stopLive = new AbortController();
  const live =
    cmd.json || finished
      ? undefined
      : followLive(
          io.fetch ?? fetch,
          client.baseUrl,
          id,
          { stdout: io.stdout, stderr: io.stderr },
          stopLive.signal,
        );
  let state: ExecutionPoll;
  try {
    state = finished
      ? (accepted as ExecutionPoll)
      : await waitForOutcome(client, id, io, log, sleep);
  } catch (err) {
    // Nothing more to follow: the stream must not keep the process alive.
    stopLive.abort();
    throw err;
  }
  const followed = live === undefined ? undefined : await settleLive(live, stopLive);
  log(`airlock: ${state.execution_id} ${state.status} in ${state.execution_time_ms ?? '?'} ms\n`);
  if (followed?.printed && !followed.ended)
    io.stderr('airlock: live output was cut short; the whole output follows\n');
  if (cmd.json) io.stdout(`${JSON.stringify(state, null, 2)}\n`);
  else renderOutcome(state, io, followed?.ended === true);
  return exitCodeForStatus(state.status);
}

/** Gives the live stream a moment to deliver its `end` (it comes with the outcome), then stops it. */
async function settleLive(live: Promise<LiveResult>, stop: AbortController): Promise<LiveResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<LiveResult>((resolve) => {
    timer = setTimeout(() => resolve({ ended: false, printed: true }), 3000);
  });
  const result = await Promise.race([live, late]);
  clearTimeout(timer);
  stop.abort();
  // A timeout says nothing of what was printed: ask the follower itself.
  return result.ended ? result : await live.catch(() => result);
}
