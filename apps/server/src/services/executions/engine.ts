import { EventEmitter } from 'node:events';
import type { SecureContext } from 'node:tls';
import type { AirlockDb } from '@airlock/db';
import { executions, llmExchanges, type profiles } from '@airlock/db';
import type { BrokeredCredential, ConnectionRecord } from '@airlock/egress';
import { DEFAULT_MAX_JSON_DEPTH, type Redactor, type UnprintableRanges } from '@airlock/redactor';
import { type RunHandle, type RunResult, runnableUids, type Sandbox } from '@airlock/sandbox';
import type { Keyring } from '@airlock/vault';
import { and, eq, inArray, isNull, notInArray } from 'drizzle-orm';
import type { Config } from '../../config.js';
import { withoutFsync } from '../../lib/durability.js';
import type { Clock } from '../../lib/time.js';
import type { Logger } from '../../logger.js';
import { recordAudit, systemActor } from '../audit/record.js';
import type { InstanceCa } from '../egress-ca.js';
import { profileNetwork } from '../profiles/network.js';
import { findProfile, isExpired } from '../profiles/queries.js';
import { OUTPUT_CAPTURE_MARGIN } from '../redaction-policy.js';
import { importDirs } from '../requirements/scopes.js';
import { CANCELLED, type CancelReason } from './cancellation.js';
import { openRunEgress, type RunEgress } from './egress.js';
import { LiveRegistry, type LiveRun } from './live.js';
import { type ExecutionRow, findExecution, TERMINAL } from './queries.js';
import { RedactorCache } from './redaction.js';
import { HistoryRetention, type HistoryUsage, historyBytesSql } from './retention.js';
import { runCredentials, runSettings } from './secrets.js';
import { pollView } from './views.js';

export interface EngineDeps {
  db: AirlockDb;
  keyring: Keyring;
  sandbox: Sandbox;
  clock: Clock;
  logger: Logger;
  config: Pick<
    Config,
    | 'concurrency'
    | 'queueSize'
    | 'maxOutputBytes'
    | 'llmWaitLimitSeconds'
    | 'memoryBytes'
    | 'historyMaxBytes'
    | 'historyRetentionDays'
    | 'maxWaiting'
    | 'egressDir'
    | 'egress'
    | 'egressResolve'
    | 'port'
    | 'packagesDir'
    | 'dataDir'
  >;
  /** What the script interpreter's `repr` escapes (see python-unicode.ts). */
  pythonUnprintable: UnprintableRanges;
  /** The CA brokered hosts are intercepted with. */
  instanceCa: InstanceCa;
  /** Roots trusted for brokered hosts' upstream TLS (Node's bundled ones plus configured). */
  upstreamTrust: SecureContext;
}

/**
 * How often running runs are sampled for being blocked (see `#sample`), ms: often while a run
 * waits in the queue for a slot (a sleeping run then hands its slot over within two samples),
 * rarely when nothing waits (only to keep the state current).
 */
const BLOCKED_SAMPLE_MS = { queued: 20, idle: 100 } as const;

export interface QueueState {
  /** Runs using a slot. */
  running: number;
  /** Runs blocked in I/O or a sleep: they hold no slot. */
  blocked: number;
  /** Runs paused in `llm.complete`: they hold no slot (their processes wait, frozen). */
  waiting: number;
  queued: number;
  concurrency: number;
  /** Most runs paused at once besides the running ones (each is a live process). */
  max_waiting: number;
  /** Most executions accepted at once besides the waiting ones (running + queued). */
  capacity: number;
}

/** What every terminal execution stores: redacted text only. */
interface Outcome {
  status: 'completed' | 'error' | 'timeout';
  stdout: string | null;
  stderr: string | null;
  resultJson: string | null;
  error: string | null;
  executionTimeMs: number | null;
  counts: Record<string, number>;
  /** The run's connection attempts through the egress proxy, redacted (null: no network). */
  network: ConnectionRecord[] | null;
}

const PROFILE_GONE =
  'refused: the profile key changed or the profile was deleted before the run started';

export const INTERRUPTED = 'interrupted: server restarted before the execution finished';
export const SHUT_DOWN = 'interrupted: the server shut down before the execution finished';

/**
 * Runs accepted executions: a FIFO queue in front of a fixed number of concurrent sandbox runs.
 * Every state change is written to the database before it is announced; every byte a script
 * returns passes the redactor (built from all stored secrets) before it is stored. A redaction
 * failure stores no output at all (fail closed).
 */
export class ExecutionEngine {
  readonly #deps: EngineDeps;
  readonly #queue: string[] = [];
  /** Scripts as submitted, only in memory: the database keeps a redacted copy. */
  readonly #scripts = new Map<string, string>();
  readonly #redaction: RedactorCache;
  readonly #history: HistoryRetention;
  readonly #running = new Map<string, RunHandle | null>();
  /** Runs (of #running) paused in `llm.complete`: they do not count against the concurrency. */
  readonly #waiting = new Set<string>();
  /** Runs blocked (none of their processes runnable for two samples): they hold no slot. */
  readonly #blocked = new Set<string>();
  /** Samples since each running run was last seen runnable. */
  readonly #idleSamples = new Map<string, number>();
  #sampler: NodeJS.Timeout | undefined;
  /** When the armed sample is due (ms, performance.now()). */
  #sampleDue = 0;
  /** Why a run was cancelled from outside (the admin, its profile's revocation), by id. */
  readonly #cancelled = new Map<string, string>();
  /** Every run's bookkeeping, from preparation to its recorded outcome (shutdown awaits them). */
  readonly #inflight = new Set<Promise<void>>();
  readonly #changes = new EventEmitter();
  #stopping = false;
  readonly #live = new LiveRegistry();

  constructor(deps: EngineDeps) {
    this.#deps = deps;
    this.#redaction = new RedactorCache(deps.pythonUnprintable);
    this.#history = new HistoryRetention(deps);
    this.#changes.setMaxListeners(0);
  }

  state(): QueueState {
    const { concurrency, queueSize, maxWaiting } = this.#deps.config;
    return {
      running: this.#running.size - this.#waiting.size - this.#blocked.size,
      waiting: this.#waiting.size,
      blocked: this.#blocked.size,
      queued: this.#queue.length,
      concurrency,
      max_waiting: maxWaiting,
      capacity: concurrency + queueSize,
    };
  }

  /** Starts the hourly history sweep (by age; the size limit applies after every run). */
  startRetention(): void {
    this.#history.start();
  }

  /** How much history is kept, against the configured limits. */
  historyUsage(): HistoryUsage {
    return this.#history.usage();
  }

  /** Whether one more execution may be accepted now. */
  hasRoom(): boolean {
    const s = this.state();
    return !this.#stopping && s.running + s.queued < s.capacity;
  }

  /** Seconds an agent should wait before retrying when there is no room. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.#queue.length + 1) / this.#deps.config.concurrency) * 2);
  }

  /** The redactor over every stored secret (cached until the secrets change). */
  redactor(): Redactor {
    return this.#redaction.get(this.#deps);
  }

  /** The live events of a queued, running or just finished execution (none after a minute). */
  live(id: string): LiveRun | undefined {
    return this.#live.get(id);
  }

  /** Queues a stored `pending` execution with the script to run. */
  enqueue(id: string, script: string): void {
    this.#live.open(id, 'pending');
    this.#scripts.set(id, script);
    this.#queue.push(id);
    // Start on a later turn: the request that queued it answers first (status `pending`), and
    // preparing a run (decrypting, building the redactor) never delays that answer.
    setImmediate(() => this.#pump());
  }

  /** Resolves when execution `id` changes state, or after `ms`. */
  waitForChange(id: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#changes.off(id, done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#changes.on(id, done);
      signal?.addEventListener('abort', done);
    });
  }

  /**
   * Hands an agent's answer to a run waiting in `llm.complete`: `not_waiting` when none is,
   * `too_large` when the answer does not fit the run's control channel (nothing is sent).
   */
  respond(id: string, text: string): 'ok' | 'not_waiting' | 'too_large' {
    const handle = this.#running.get(id);
    try {
      if (!handle?.respond(text)) return 'not_waiting';
    } catch (err) {
      // The sandbox refuses (RangeError) an answer larger than its channel takes.
      if (err instanceof RangeError) return 'too_large';
      throw err;
    }
    this.#waiting.delete(id);
    const now = this.#deps.clock();
    const redacted = this.redactor().redactString(text).text;
    this.#deps.db.transaction((tx) => {
      tx.update(llmExchanges)
        .set({ response: redacted, answeredAt: now })
        .where(and(eq(llmExchanges.executionId, id), isNull(llmExchanges.response)))
        .run();
      tx.update(executions)
        .set({ status: 'running', updatedAt: now })
        .where(eq(executions.id, id))
        .run();
    });
    this.#announce(id);
    return 'ok';
  }

  /** Cancels a pending or running execution. False when it is not in progress here. */
  cancel(id: string, reason: CancelReason = CANCELLED.byAdmin): boolean {
    const queued = this.#queue.indexOf(id);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      this.#scripts.delete(id);
      this.#finish(id, {
        ...emptyOutcome(),
        status: 'error',
        error: `${reason} before it started`,
      });
      return true;
    }
    if (!this.#running.has(id)) return false;
    this.#cancelled.set(id, reason);
    this.#running.get(id)?.cancel();
    return true;
  }

  /**
   * Cancels every queued, running or paused execution of a profile whose key no longer holds
   * (revoked, or regenerated): a run started before must not keep its credentials. Returns how
   * many were cancelled.
   */
  cancelProfile(profileId: string, reason: CancelReason): number {
    const open = this.#deps.db
      .select({ id: executions.id })
      .from(executions)
      .where(
        and(
          eq(executions.profileId, profileId),
          inArray(executions.status, ['pending', 'running', 'awaiting_llm']),
        ),
      )
      .all();
    let n = 0;
    for (const { id } of open) if (this.cancel(id, reason)) n++;
    return n;
  }

  /**
   * At startup: every execution left pending, running or awaiting the LLM by a previous process
   * becomes `error` (interrupted). Nothing is re-run. Returns how many were closed.
   */
  recover(): number {
    const now = this.#deps.clock();
    const r = this.#deps.db
      .update(executions)
      .set({
        status: 'error',
        error: INTERRUPTED,
        historyBytes: historyBytesSql(Buffer.byteLength(INTERRUPTED)),
        completedAt: now,
        updatedAt: now,
      })
      .where(inArray(executions.status, ['pending', 'running', 'awaiting_llm']))
      .run();
    if (r.changes > 0) this.#history.recount();
    return r.changes;
  }

  /** Stops accepting, cancels everything in progress and waits for the runs to end. */
  async shutdown(): Promise<void> {
    this.#stopping = true;
    this.#history.stop();
    for (const id of this.#queue.splice(0)) {
      this.#scripts.delete(id);
      this.#finish(id, { ...emptyOutcome(), status: 'error', error: SHUT_DOWN });
    }
    for (const h of this.#running.values()) h?.cancel();
    // A run still being prepared sees #stopping and is cancelled as soon as it has a handle.
    await Promise.all([...this.#inflight]);
  }

  #pump(): void {
    // A run paused in llm.complete frees its slot; live runs stay bounded all the same.
    const { concurrency, maxWaiting } = this.#deps.config;
    while (
      !this.#stopping &&
      this.#running.size - this.#waiting.size - this.#blocked.size < concurrency &&
      this.#running.size < concurrency + maxWaiting &&
      this.#queue.length > 0
    ) {
      const id = this.#queue.shift() as string;
      this.#running.set(id, null);
      const script = this.#scripts.get(id);
      this.#scripts.delete(id);
      const run: Promise<void> = this.#run(id, script)
        .catch((err: unknown) => {
          // A storage failure while recording a run must not take the server down; the row stays
          // non-terminal and is closed as interrupted at the next start if it cannot be now.
          this.#deps.logger.error('execution bookkeeping failed', {
            execution_id: id,
            error: String(err),
          });
          try {
            this.#finish(id, {
              ...emptyOutcome(),
              status: 'error',
              error: 'internal error: the outcome could not be recorded',
            });
          } catch {
            // still failing: left for restart recovery
          }
        })
        .finally(() => {
          this.#running.delete(id);
          this.#waiting.delete(id);
          this.#blocked.delete(id);
          this.#idleSamples.delete(id);
          this.#cancelled.delete(id);
          this.#inflight.delete(run);
          this.#pump();
        });
      this.#inflight.add(run);
    }
    this.#sample();
  }

  async #run(id: string, script: string | undefined): Promise<void> {
    const { db, sandbox, clock, logger, config } = this.#deps;
    const row = findExecution(db, id);
    if (row?.status !== 'pending' || script === undefined) return;
    let redactor: Redactor;
    let settings: Record<string, string>;
    let egress: RunEgress;
    try {
      const profile = findProfile(db, row.profileId);
      const refusal = profile ? this.#profileRefusal(row, profile) : PROFILE_GONE;
      if (refusal !== null || !profile) {
        this.#finish(id, { ...emptyOutcome(), status: 'error', error: refusal ?? PROFILE_GONE });
        return;
      }
      redactor = this.redactor();
      const run = runSettings(runCredentials(this.#deps, row.profileId));
      settings = run.settings;
      egress = await openRunEgress(config, profileNetwork(profile), {
        broker: await this.#broker(run.brokered, redactor),
      });
    } catch (err) {
      logger.error('execution setup failed', { execution_id: id, error: String(err) });
      this.#finish(id, {
        ...emptyOutcome(),
        status: 'error',
        error: 'internal error: the execution could not be prepared',
      });
      return;
    }
    const startedAt = clock();
    // Not worth an fsync per run (see withoutFsync): a lost mark leaves the row pending.
    withoutFsync(db, () =>
      db
        .update(executions)
        .set({ status: 'running', startedAt, updatedAt: startedAt })
        .where(eq(executions.id, id))
        .run(),
    );
    this.#announce(id);

    let seq = 0;
    const live = this.#live.open(id, 'running');
    live.begin(redactor, config.maxOutputBytes);
    const handle = sandbox.run({
      script,
      settings,
      network: egress.network,
      // Its own packages first (what its key installed), then the shared ones.
      packages: importDirs(config, row.profileId),
      limits: {
        timeoutMs: row.timeoutSeconds * 1000,
        cpuSeconds: row.timeoutSeconds + 1,
        memoryBytes: config.memoryBytes,
        // Capture enough past the cap that a secret straddling it is still whole when redacted;
        // a fixed margin: where the capture stops must not depend on the stored secrets.
        maxOutputBytes: config.maxOutputBytes + OUTPUT_CAPTURE_MARGIN,
        llmWaitMs: config.llmWaitLimitSeconds * 1000,
      },
      onOutput: (stream, chunk) => live.output(stream, chunk),
      onEvent: (event) => {
        if (event.type !== 'awaiting_llm') return;
        const now = clock();
        seq += 1;
        const prompt = safeRedact(redactor, event.prompt);
        const model = safeRedact(redactor, event.model);
        db.transaction((tx) => {
          tx.insert(llmExchanges)
            .values({ executionId: id, seq, prompt, model, askedAt: now })
            .run();
          tx.update(executions)
            .set({ status: 'awaiting_llm', updatedAt: now })
            .where(eq(executions.id, id))
            .run();
        });
        this.#waiting.add(id);
        this.#blocked.delete(id);
        this.#announce(id);
        live.llmRequest(prompt, model);
        // Its slot is free while it waits: start the next queued run.
        setImmediate(() => this.#pump());
      },
    });
    this.#running.set(id, handle);
    // Shutdown began while this run was being prepared: it must not outlive the server.
    if (this.#stopping) handle.cancel();
    const result = await handle.result;
    const attempts = egress.records();
    const dropped = egress.dropped();
    await egress.close();
    const outcome = this.#outcome(result, redactor, this.#cancelled.get(id));
    if (egress.network.mode !== 'none') {
      outcome.network = redactRecords(redactor, attempts);
      // Counts only (never host names): the audit trail says a run used the network.
      recordAudit(
        { db, clock },
        systemActor,
        'execution.network',
        { type: 'execution', id },
        {
          allowed: attempts.filter((a) => a.verdict === 'allowed').length,
          denied: attempts.filter((a) => a.verdict === 'denied').length + dropped,
          bytes_up: attempts.reduce((n, a) => n + a.bytesUp, 0),
          bytes_down: attempts.reduce((n, a) => n + a.bytesDown, 0),
          brokered_requests: attempts.reduce((n, a) => n + (a.brokered?.requests.length ?? 0), 0),
        },
      );
    }
    this.#finish(id, outcome);
  }

  /**
   * What the proxy needs to broker a run's credentials: the instance CA's issuer, the upstream
   * roots, and a scrubber per response (the redactor over every stored secret, bytes kept).
   */
  async #broker(credentials: BrokeredCredential[], redactor: Redactor) {
    if (credentials.length === 0) return undefined;
    const { instanceCa, upstreamTrust } = this.#deps;
    return {
      options: {
        credentials,
        issuer: await instanceCa.issuer(),
        upstreamTrust,
        scrubber: () => redactor.createByteStream(),
      },
      trustBundle: await instanceCa.trustBundle(),
    };
  }

  /**
   * Waiting is not running: every `BLOCKED_SAMPLE_MS` while runs are live, a run whose script
   * has started and none of whose processes was runnable at two samples in a row (sleeping,
   * waiting for the network) gives up its slot to the next queued run, and takes one again when
   * it computes. Live runs stay
   * bounded by `concurrency + maxWaiting` (and each by its own memory limit).
   */
  #sample(): void {
    if (this.#running.size === 0) return;
    const interval = this.#queue.length > 0 ? BLOCKED_SAMPLE_MS.queued : BLOCKED_SAMPLE_MS.idle;
    const due = performance.now() + interval;
    if (this.#sampler !== undefined) {
      // A run started waiting for a slot: sample sooner than the idle pace armed before.
      if (this.#sampleDue <= due) return;
      clearTimeout(this.#sampler);
    }
    this.#sampleDue = due;
    this.#sampler = setTimeout(() => {
      this.#sampler = undefined;
      const uids = new Map<number, string>();
      for (const [id, handle] of this.#running) {
        const uid = handle?.uid;
        // Only once its script runs: a sandbox being set up sleeps at times (the kernel moving
        // it into its cgroup, the runtime waiting for its init), which is not the script waiting.
        if (uid !== undefined && handle?.state === 'running' && !this.#waiting.has(id))
          uids.set(uid, id);
      }
      const busy = uids.size > 0 ? runnableUids(uids.keys()) : new Set<number>();
      let freed = false;
      for (const [uid, id] of uids) {
        if (busy.has(uid)) {
          this.#idleSamples.set(id, 0);
          this.#blocked.delete(id);
          continue;
        }
        const n = (this.#idleSamples.get(id) ?? 0) + 1;
        this.#idleSamples.set(id, n);
        if (n >= 2 && !this.#blocked.has(id)) {
          this.#blocked.add(id);
          freed = true;
        }
      }
      if (freed) this.#pump();
      this.#sample();
    }, interval);
    this.#sampler.unref();
  }

  /** Why a queued execution must not run after all (its profile changed meanwhile). */
  #profileRefusal(row: ExecutionRow, p: typeof profiles.$inferSelect): string | null {
    if (p.keyId !== row.keyId) return PROFILE_GONE;
    if (p.revoked) return 'refused: the profile was revoked before the run started';
    if (isExpired(p, this.#deps.clock()))
      return 'refused: the profile expired before the run started';
    return null;
  }

  /**
   * The stored outcome of a run: every text redacted. What a truncated stream shows is a function
   * of byte counts and whole matches only (the redactor's cut rule, and notices that quote the
   * configured cap, never a secret-dependent length).
   */
  #outcome(result: RunResult, redactor: Redactor, cancelled: string | undefined): Outcome {
    const cap = this.#deps.config.maxOutputBytes;
    // A Map, not an object: credential names such as "constructor" or "__proto__" are data.
    const totals = new Map<string, number>();
    const add = (c: Readonly<Record<string, number>>) => {
      for (const [k, v] of Object.entries(c)) totals.set(k, (totals.get(k) ?? 0) + v);
    };
    const counts = (): Record<string, number> => Object.fromEntries(totals);
    try {
      const stream = (name: 'stdout' | 'stderr') => {
        const cut = result.cut[name];
        const r = redactor.redactOutput(result[name], { maxOutputBytes: cap, inputTruncated: cut });
        add(r.counts);
        if (cut) return `${r.text}\n[output truncated: more than ${cap} bytes written]`;
        return r.truncated
          ? `${r.text}\n[output truncated: ${r.omittedBytes} bytes omitted]`
          : r.text;
      };
      const base = {
        stdout: stream('stdout'),
        stderr: stream('stderr'),
        executionTimeMs: Math.round(result.executionMs),
        network: null,
      };
      const redactText = (s: string) => {
        const r = redactor.redactString(s);
        add(r.counts);
        return r.text;
      };
      const failed = (status: 'error' | 'timeout', error: string): Outcome => ({
        ...base,
        status,
        resultJson: null,
        error,
        counts: counts(),
      });
      switch (result.status) {
        case 'completed': {
          const r = redactor.redactJsonText(result.resultJson);
          if (!r.ok) {
            // Only nesting can be refused here (the runner checked the JSON); stdout and
            // stderr are kept.
            return failed(
              'error',
              r.reason === 'too_deep'
                ? `set_result(): the value is nested deeper than ${DEFAULT_MAX_JSON_DEPTH} levels; the result was discarded`
                : 'set_result(): the value is not valid JSON; the result was discarded',
            );
          }
          add(r.counts);
          return {
            ...base,
            status: 'completed',
            resultJson: r.text,
            error: null,
            counts: counts(),
          };
        }
        case 'timeout':
          return failed('timeout', redactText(result.error));
        case 'cancelled':
          return failed(
            'error',
            cancelled !== undefined
              ? cancelled
              : this.#stopping
                ? SHUT_DOWN
                : redactText(result.error),
          );
        case 'limit':
          if (result.limit === 'output') {
            const which = result.cut.stdout ? 'stdout' : 'stderr';
            return failed('error', `output limit exceeded: more than ${cap} bytes on ${which}`);
          }
          return failed('error', redactText(result.error));
        case 'error':
          return failed('error', redactText(result.error));
      }
    } catch (err) {
      // Fail closed: nothing the script produced is kept when redaction itself failed.
      this.#deps.logger.error('redaction failed; output withheld', {
        error: err instanceof Error ? err.name : 'unknown',
      });
      return {
        ...emptyOutcome(),
        status: 'error',
        error: 'output withheld: redaction failed',
        executionTimeMs: Math.round(result.executionMs),
      };
    }
  }

  #finish(id: string, o: Outcome): void {
    const now = this.#deps.clock();
    let outcomeBytes = 0;
    const networkLog = o.network === null ? null : JSON.stringify(o.network);
    for (const t of [o.stdout, o.stderr, o.resultJson, o.error, networkLog]) {
      if (t !== null) outcomeBytes += Buffer.byteLength(t);
    }
    const done = this.#deps.db
      .update(executions)
      .set({
        status: o.status,
        stdout: o.stdout,
        stderr: o.stderr,
        resultJson: o.resultJson,
        error: o.error,
        executionTimeMs: o.executionTimeMs,
        redactionCounts: JSON.stringify(o.counts),
        networkLog,
        historyBytes: historyBytesSql(outcomeBytes),
        completedAt: now,
        updatedAt: now,
      })
      // An execution ends once: a terminal row is never rewritten.
      .where(and(eq(executions.id, id), notInArray(executions.status, [...TERMINAL])))
      .returning({ bytes: executions.historyBytes })
      .get();
    this.#announce(id);
    if (done) this.#history.added(done.bytes);
  }

  #announce(id: string): void {
    const live = this.#live.get(id);
    if (live && !live.ended) {
      const row = findExecution(this.#deps.db, id);
      if (row && TERMINAL.has(row.status)) this.#live.close(id, pollView(row, undefined));
      else if (row) live.status(row.status);
    }
    this.#changes.emit(id);
  }
}

function emptyOutcome(): Outcome {
  return {
    status: 'error',
    stdout: null,
    stderr: null,
    resultJson: null,
    error: null,
    executionTimeMs: null,
    counts: {},
    network: null,
  };
}

/**
 * The connection log as stored: a script chooses the host names it asks for, so they (and the
 * reasons quoting them) pass the redactor like every other output. Fails closed: a record that
 * cannot be redacted is withheld.
 */
function redactRecords(redactor: Redactor, records: ConnectionRecord[]): ConnectionRecord[] {
  return records.map((r) => {
    try {
      return {
        ...r,
        host: redactor.redactString(r.host).text,
        ...(r.reason === undefined ? {} : { reason: redactor.redactString(r.reason).text }),
        ...(r.address === undefined ? {} : { address: redactor.redactString(r.address).text }),
        ...(r.brokered === undefined
          ? {}
          : {
              brokered: {
                ...r.brokered,
                requests: r.brokered.requests.map((q) => ({
                  ...q,
                  method: redactor.redactString(q.method).text,
                  ...(q.error === undefined ? {} : { error: redactor.redactString(q.error).text }),
                })),
              },
            }),
      };
    } catch {
      return {
        ...r,
        host: '[withheld: redaction failed]',
        reason: undefined,
        address: undefined,
        brokered: undefined,
      };
    }
  });
}

/** Redacts a prompt; if redaction fails, the prompt is withheld rather than passed on. */
function safeRedact(redactor: Redactor, text: string): string {
  try {
    return redactor.redactString(text).text;
  } catch {
    return '[withheld: redaction failed]';
  }
}
