/**
 * Live events of executions, for `GET /executions/{id}/events` (Server-Sent Events): status
 * changes, `llm_request`, redacted `stdout`/`stderr` chunks as the script produces them, and
 * `end` with the terminal poll body. Each event has a number (per execution, from 1) so a client
 * resumes with `Last-Event-ID` without loss or duplication.
 *
 * Output is redacted by a live stream of the redactor over every stored secret, held back by a
 * fixed length (`LIVE_HOLDBACK_BYTES`): what a watcher sees at any moment is a function of how
 * much the script printed, never of whether its last bytes begin a secret. The stored output is
 * redacted whole as before; the `end` event carries that.
 */
import type { RedactionStream, Redactor } from '@airlock/redactor';

/** Bytes of each stream withheld from live watchers until more follows or the run ends. */
export const LIVE_HOLDBACK_BYTES = 512;
/** How long a finished execution's events stay available for a reconnecting watcher. */
const KEEP_FINISHED_MS = 60_000;
/**
 * Output released within this many milliseconds goes out as one event: a script printing in
 * tiny flushes makes at most 20 events a second per stream, not one per write.
 */
const BATCH_MS = 50;

export type LiveEventName = 'status' | 'llm_request' | 'stdout' | 'stderr' | 'end';

export interface LiveEvent {
  id: number;
  event: LiveEventName;
  data: unknown;
}

type Listener = (e: LiveEvent) => void;

/** The events of one execution. */
export class LiveRun {
  readonly #events: LiveEvent[] = [];
  readonly #listeners = new Set<Listener>();
  #streams: Record<'stdout' | 'stderr', RedactionStream | null> | undefined;
  #status: string | undefined;
  #ended = false;
  readonly #pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  #timer: NodeJS.Timeout | undefined;

  get ended(): boolean {
    return this.#ended;
  }

  /** The run started: its output is redacted with `redactor`, capped at `capBytes` per stream. */
  begin(redactor: Redactor, capBytes: number): void {
    const open = () => {
      try {
        return redactor.createStream({
          maxOutputBytes: capBytes,
          holdbackBytes: LIVE_HOLDBACK_BYTES,
        });
      } catch {
        return null;
      }
    };
    this.#streams = { stdout: open(), stderr: open() };
  }

  /** Raw output of the script (what the sandbox captured). */
  output(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const s = this.#streams?.[stream];
    if (!s || this.#ended) return;
    let text: string;
    try {
      text = s.write(chunk);
    } catch {
      // Redaction failed (fail closed): this stream shows nothing more live; `end` has it all.
      if (this.#streams) this.#streams[stream] = null;
      return;
    }
    if (text === '') return;
    this.#pending[stream] += text;
    this.#timer ??= setTimeout(() => this.#flush(), BATCH_MS);
  }

  /** Sends the output released since the last batch. */
  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const name of ['stdout', 'stderr'] as const) {
      const text = this.#pending[name];
      this.#pending[name] = '';
      if (text !== '') this.#push(name, { text });
    }
  }

  status(status: string): void {
    if (status === this.#status || this.#ended) return;
    this.#flush();
    this.#status = status;
    this.#push('status', { status });
  }

  /** A pause in `llm.complete` (prompt and model already redacted). */
  llmRequest(prompt: string, model: string): void {
    this.#flush();
    this.#push('llm_request', { prompt, model });
  }

  /** The run is over: the held-back tails, then `end` with the terminal body. */
  end(body: unknown): void {
    if (this.#ended) return;
    for (const name of ['stdout', 'stderr'] as const) {
      const s = this.#streams?.[name];
      if (!s) continue;
      try {
        this.#pending[name] += s.end().text;
      } catch {
        // withheld: `end` carries the stored output
      }
    }
    this.#flush();
    this.#push('end', body);
    this.#ended = true;
    this.#listeners.clear();
  }

  /**
   * Events after `afterId` now, then each new one as it happens, until `end`. Returns the
   * unsubscribe function.
   */
  subscribe(afterId: number, listener: Listener): () => void {
    for (const e of this.#events) if (e.id > afterId) listener(e);
    if (this.#ended) return () => {};
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #push(event: LiveEventName, data: unknown): void {
    const e: LiveEvent = { id: this.#events.length + 1, event, data };
    this.#events.push(e);
    for (const l of this.#listeners) l(e);
  }
}

/** The live runs of queued, running and recently finished executions. */
export class LiveRegistry {
  readonly #runs = new Map<string, LiveRun>();

  /** Starts recording an execution's events (at enqueue). */
  open(id: string, status: string): LiveRun {
    let run = this.#runs.get(id);
    if (!run) {
      run = new LiveRun();
      this.#runs.set(id, run);
    }
    run.status(status);
    return run;
  }

  get(id: string): LiveRun | undefined {
    return this.#runs.get(id);
  }

  /** Ends an execution's events; they stay available a minute for reconnecting watchers. */
  close(id: string, body: unknown): void {
    const run = this.#runs.get(id);
    if (!run) return;
    run.end(body);
    setTimeout(() => {
      if (this.#runs.get(id) === run) this.#runs.delete(id);
    }, KEEP_FINISHED_MS).unref();
  }
}
