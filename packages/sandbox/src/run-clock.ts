/** A run's clock: running time excludes the time spent waiting for LLM answers. */
export class RunClock {
  #startedAt = 0;
  #waitStartedAt: number | undefined;
  #waited = 0;

  /** The sandbox was spawned: running time counts from now. */
  start(now = performance.now()): void {
    this.#startedAt = now;
  }

  /** A wait for an LLM answer begins (running time pauses). */
  pause(now = performance.now()): void {
    if (this.#waitStartedAt === undefined) this.#waitStartedAt = now;
  }

  /** The answer came (running time resumes). */
  resume(now = performance.now()): void {
    if (this.#waitStartedAt === undefined) return;
    this.#waited += now - this.#waitStartedAt;
    this.#waitStartedAt = undefined;
  }

  /** Running time so far, ms (0 before start). */
  runningMs(now = performance.now()): number {
    if (this.#startedAt === 0) return 0;
    return Math.max(0, now - this.#startedAt - this.waitedMs(now));
  }

  /** LLM waits so far, the current one included, ms. */
  waitedMs(now = performance.now()): number {
    return this.#waited + (this.#waitStartedAt === undefined ? 0 : now - this.#waitStartedAt);
  }
}
